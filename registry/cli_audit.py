"""``flask registry audit verify`` and ``flask registry audit checkpoint``."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import click
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import current_app
from flask.cli import AppGroup

from registry import audit_chain
from registry.dates import utcnow
from registry.extensions import db

audit_cli = AppGroup("audit", help="Check the tamper-evident audit trail.")


def _key_and_certificate():  # type: ignore[no-untyped-def]
    config = current_app.config
    passphrase = (config.get("SIGNING_KEY_PASSPHRASE") or "").encode() or None
    if config.get("SIGNING_PKCS12") and Path(config["SIGNING_PKCS12"]).exists():
        key, certificate, _ = pkcs12.load_key_and_certificates(Path(config["SIGNING_PKCS12"]).read_bytes(), passphrase)
        return key, certificate
    if config.get("SIGNING_KEY_PEM") and config.get("SIGNING_CERT_PEM"):
        from cryptography import x509

        key = serialization.load_pem_private_key(Path(config["SIGNING_KEY_PEM"]).read_bytes(), passphrase)
        return key, x509.load_pem_x509_certificate(Path(config["SIGNING_CERT_PEM"]).read_bytes())
    raise click.ClickException("No signing key is configured: a checkpoint is signed with the registry's key.")


def _payload(data: dict) -> bytes:
    return json.dumps({k: data[k] for k in ("seq", "hash", "written_at")}, sort_keys=True).encode()


@audit_cli.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_path",
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint file written by `audit checkpoint`, kept outside the database.",
)
def verify(checkpoint_path: str | None) -> None:
    """Check the whole chain; name the first event that was edited, removed or reordered."""
    click.echo("Checking the audit trail…", err=True)
    hashes_by_seq: dict[int, str] = {}
    wanted = None
    if checkpoint_path:
        checkpoint = json.loads(Path(checkpoint_path).read_text())
        _key, certificate = _key_and_certificate()
        try:
            certificate.public_key().verify(
                base64.b64decode(checkpoint["signature"]), _payload(checkpoint), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception as error:
            raise click.ClickException("The checkpoint's signature is not valid: the file was changed.") from error
        wanted = int(checkpoint["seq"])

    def rows():  # type: ignore[no-untyped-def]
        for row in audit_chain.stored_rows(db.session):
            if wanted is not None and row["seq"] == wanted:
                hashes_by_seq[wanted] = row["hash"]
            yield row

    report = audit_chain.verify(rows(), progress=lambda n: click.echo(f"  {n:,} events checked", err=True))
    if not report.ok:
        click.echo(str(report.first_break))
        sys.exit(1)
    if wanted is not None:
        if report.last_seq < wanted:
            click.echo(
                f"The chain is shorter than the checkpoint: events after {report.last_seq} up to {wanted} were removed."
            )
            sys.exit(1)
        if hashes_by_seq.get(wanted) != checkpoint["hash"]:
            click.echo(f"Event {wanted} does not match the checkpoint: the chain was rewritten up to it.")
            sys.exit(1)
        click.echo(f"The chain matches the checkpoint at event {wanted}.")
    click.echo(f"The audit trail is intact: {report.checked:,} events, the last is {report.last_seq}.")


@audit_cli.command("checkpoint")
@click.argument("path", type=click.Path(dir_okay=False))
def checkpoint(path: str) -> None:
    """Write the latest sequence number and hash, signed with the registry's key, to PATH."""
    from registry.models import AuditChainHead

    head = db.session.get(AuditChainHead, 1)
    data = {
        "seq": head.last_seq if head else 0,
        "hash": head.last_hash if head else audit_chain.GENESIS,
        "written_at": utcnow().isoformat(),
    }
    key, _certificate = _key_and_certificate()
    data["signature"] = base64.b64encode(key.sign(_payload(data), padding.PKCS1v15(), hashes.SHA256())).decode()
    Path(path).write_text(json.dumps(data, indent=2))
    click.echo(f"Checkpoint written to {path}: event {data['seq']}. Keep it outside the database.")
