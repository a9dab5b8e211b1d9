"""``flask registry send-reminders``: email review reminders (for cron; safe to run often and on two servers)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from registry import mail
from registry.dates import format_date, format_datetime
from registry.services import reminders

OUTCOMES = {
    "sent": "sent to {n}",
    "taken": "being sent by another run",
    "not_sent": "NOT sent: the mail server did not take it (it will be tried again on the next run)",
    "unconfirmed": "MAY NOT have been sent: the connection failed while sending (it will not be sent again)",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Email the owner and IG officers 90 and 30 days before a review, on the day, and weekly while overdue."""
    try:
        mailer = mail.mailer_for(current_app.config)
    except mail.MailNotConfigured as error:
        raise click.ClickException(str(error)) from error

    def progress(reminder: reminders.Reminder, outcome: str) -> None:
        text = OUTCOMES[outcome].format(n=_plural(len(reminder.recipients), "person").replace("persons", "people"))
        due = format_date(reminder.review_date)
        click.echo(f"{reminder.reference} (review due {due}): {reminders.describe(reminder.threshold)} {text}")

    click.echo("Checking agreements for reviews due within 90 days or overdue…")
    with mailer:
        summary = reminders.send_due(mailer, progress=progress)
    for line in summary.nobody:
        click.echo(f"{line}: nobody to remind (no active owner or IG officer)")
    parts = [
        f"{_plural(summary.considered, 'agreement')} due within 90 days or overdue",
        f"{_plural(summary.sent, 'reminder')} sent",
        f"{summary.already} already sent before",
    ]
    if summary.taken:
        parts.append(f"{summary.taken} being sent by another run")
    if summary.not_sent:
        parts.append(f"{len(summary.not_sent)} not sent")
    if summary.unconfirmed:
        parts.append(f"{len(summary.unconfirmed)} unconfirmed")
    click.echo(", ".join(parts) + ".")
    unsure = reminders.unconfirmed()
    if unsure:
        click.echo(f"{_plural(len(unsure), 'reminder')} may not have been sent: check the mail server's log.")
        for item in unsure:
            click.echo(f"  {item.reference} {reminders.describe(item.threshold)}, claimed "
                       f"{format_datetime(item.claimed_at)} ({item.status})")  # fmt: skip
    if summary.stopped:
        raise click.ClickException(f"Stopped early: {summary.stopped}")
    if summary.not_sent or summary.unconfirmed:
        raise click.ClickException("Some reminders were not sent: see above.")
