"""``flask --app wsgi registry ...`` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from registry.extensions import db
from registry.models import Role
from registry.services import demo, organisations, users
from registry.services.errors import DomainError

registry_cli = AppGroup("registry", help="Registry administration commands.")


def _add_subgroups() -> None:
    from registry.cli_audit import audit_cli
    from registry.cli_backup import register as add_backup_commands
    from registry.cli_reminders import send_reminders

    registry_cli.add_command(audit_cli)
    registry_cli.add_command(send_reminders)
    add_backup_commands(registry_cli)  # registry backup, registry restore


_add_subgroups()


def _read_password() -> str:
    """From a hidden prompt at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@registry_cli.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role.")
@click.option("--name", default=None, help="Full name (defaults to the email address).")
@click.option("--organisation", default=None, help="Organisation name, required for partner users.")
def create_user(email: str, role: str, name: str | None, organisation: str | None) -> None:
    """Create a user account, reading the password from a prompt or standard input."""
    organisation_id = None
    if organisation:
        found = organisations.find_by_name(organisation)
        if found is None:
            raise click.ClickException(f"No organisation called {organisation!r} is on the register.")
        organisation_id = found.id
    password = _read_password()
    problem = users.password_problem(password, email=email, name=name or "")
    if problem:
        raise click.ClickException(problem + ".")
    try:
        user = users.create(
            None, email=email, name=name or email, role=role, password=password, organisation_id=organisation_id
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message + ".") from error
    db.session.commit()
    click.echo(f"Created {user.email} ({Role(user.role).label}).")


@registry_cli.command("load-demo")
def load_demo() -> None:
    """Load demo data when the database is empty (refused in production)."""
    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("Demo data is not allowed with production settings (REGISTRY_ENV=production).")
    if not demo.is_empty():
        click.echo("The database already has records: demo data not loaded.")
        return
    from config import INSTANCE_DIR, local_signing_key

    if not current_app.config.get("SIGNING_PKCS12") or not Path(current_app.config["SIGNING_PKCS12"]).exists():
        path, passphrase = local_signing_key(INSTANCE_DIR)  # the demo's signed agreement needs a seal
        current_app.config.update(SIGNING_PKCS12=path, SIGNING_KEY_PASSPHRASE=passphrase)
    click.echo("Loading demo data: organisations, partnerships, agreements; sealing the signed ones…")
    demo.load(current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo("Loaded " + ", ".join(f"{n} {what if n != 1 else what[:-1]}" for what, n in demo.counts().items()) + ".")


@registry_cli.command("demo-sign-ins")
def demo_sign_ins() -> None:
    """Print the demo sign-ins."""
    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("Demo data is not allowed with production settings.")
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo sign-ins (password for all: {password}):")
    for email, _name, role, organisation in demo.DEMO_USERS:
        suffix = f", {organisation}" if organisation else ""
        click.echo(f"  {email:<24} {role.label}{suffix}")
    required = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    with_code = [email for email, _n, role, _o in demo.DEMO_USERS if email in demo.DEMO_TWO_FACTOR and role in required]
    if with_code:
        click.echo(f"Two-factor sign-in is on for {', '.join(with_code)}. Demo authenticator key (add to any app):")
        click.echo(f"  {demo.DEMO_TOTP_SECRET}")
        click.echo("  or print the current code: make demo-code EMAIL=admin@example.org")
    from registry.services.demo_agreements import SIGNATORIES

    click.echo("Other partner signatories (same password):")
    for email, _name, _title, organisation in SIGNATORIES:
        click.echo(f"  {email:<32} {organisation}")


@registry_cli.command("demo-code")
@click.argument("email")
def demo_code(email: str) -> None:
    """Print the two-factor code a demo user's authenticator app would show now (refused in production)."""
    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("Demo codes are not allowed with production settings (REGISTRY_ENV=production).")
    from registry.services import two_factor

    user = users.find_by_email(email)
    if user is None or not user.two_factor_on or user.totp_secret != demo.DEMO_TOTP_SECRET:
        raise click.ClickException(f"{email} is not a demo user with two-factor sign-in on.")
    click.echo(two_factor.current_code(demo.DEMO_TOTP_SECRET))


@registry_cli.command("expire-agreements")
def expire_agreements() -> None:
    """Mark as expired every live agreement whose end date has passed (safe to run daily from cron)."""
    from registry.services import lifecycle

    expired = lifecycle.expire_due()
    db.session.commit()
    for reference in expired:
        click.echo(f"Expired {reference}")
    click.echo(f"{len(expired)} agreement{'s' if len(expired) != 1 else ''} expired.")


@registry_cli.command("init-signing-key")
def init_signing_key() -> None:
    """Make a self-signed sealing key in instance/ for local runs (kept if it is already there)."""
    from config import INSTANCE_DIR, local_signing_key

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "Production uses a key from configuration: set SIGNING_PKCS12 (or SIGNING_KEY_PEM and SIGNING_CERT_PEM) "
            "and SIGNING_KEY_PASSPHRASE."
        )
    existed = (INSTANCE_DIR / "signing.p12").exists()
    path, _passphrase = local_signing_key(INSTANCE_DIR)
    click.echo(f"{'Kept the' if existed else 'Made a new'} self-signed sealing key in {path} (never commit it).")
