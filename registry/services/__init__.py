"""Domain operations: the only code that writes to the database."""
