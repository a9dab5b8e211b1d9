"""The audit trail for those who audit (the log and its CSV export), and each record's history."""
