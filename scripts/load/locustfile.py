"""What the load test's users do: read pages, edit, download PDFs and sign in, as a browser would.

Run by scripts/load/run.py (``make load``), which starts the servers and hands over, in the
environment: LOAD_HOSTS (one or more base addresses; each request goes to one of them at random,
as a load balancer without sticky sessions would send it), LOAD_TARGETS (a JSON file of the
objectives and organisations to write to, read from the database) and LOAD_OUTPUT (where to record,
for the checks afterwards, every write the servers said was done).
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from forms import csrf_token, form_fields, has_error_summary, replace
from locust import HttpUser, between, events, task
from locust.env import Environment

HOSTS = [host.rstrip("/") for host in os.environ.get("LOAD_HOSTS", "http://127.0.0.1:5000").split(",")]
TARGETS: dict[str, Any] = (
    json.loads(Path(os.environ["LOAD_TARGETS"]).read_text()) if "LOAD_TARGETS" in os.environ else {}
)
PREFIX = TARGETS.get("prefix", "Load test")
PASSWORD = TARGETS.get("password", "demo-password-2026")

_AGREEMENT = re.compile(r'href="/agreements/(DSA-\d{4}-\d{4})"')
_PARTNERSHIP = re.compile(r'href="/partnerships/(\d+)"')
STALE = "Someone else changed this record while you were editing it"

# what the servers said was done: checked against the database afterwards
RECORD: dict[str, Any] = {
    "organisations_created": [],
    "progress_recorded": [],
    "organisation_edits": Counter(),
    "edit_conflicts": 0,
    "downloads": 0,
    "sign_ins": 0,
    "sign_outs": 0,
    "status": Counter(),
    "hosts": Counter(),
    # every request's time in milliseconds by kind, the failed ones, and the span they took
    "times": {},
    "failed": Counter(),
    "span": [None, None],
}


@events.request.add_listener
def _count(
    name: str,
    response_time: float,
    start_time: float | None = None,
    response: Any = None,
    exception: Any = None,
    **_: Any,
) -> None:
    RECORD["times"].setdefault(name, []).append(round(response_time, 1))
    if exception is not None:
        RECORD["failed"][name] += 1
    if start_time is not None:
        first, last = RECORD["span"]
        end = start_time + response_time / 1000
        RECORD["span"] = [
            start_time if first is None else min(first, start_time),
            end if last is None else max(last, end),
        ]
    if response is not None and getattr(response, "status_code", None) is not None:
        code = response.status_code
        RECORD["status"][f"{code // 100}xx" if code else "no response"] += 1
    elif exception is not None:
        RECORD["status"]["no response"] += 1


@events.quitting.add_listener
def _write(environment: Environment, **_: Any) -> None:
    path = os.environ.get("LOAD_OUTPUT")
    if path:
        with open(path, "w") as out:
            json.dump(RECORD, out, indent=1, default=dict)


def _today() -> list[str]:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    return [str(today.day), str(today.month), str(today.year)]


class RegistryUser(HttpUser):
    """A signed-in person; subclasses say who and how often they do what."""

    abstract = True
    host = HOSTS[0]
    wait_time = between(0.1, 1.0)
    email = ""

    def url(self, path: str) -> str:
        host = random.choice(HOSTS)
        RECORD["hosts"][host] += 1
        return host + path

    def get(self, path: str, name: str, **kwargs: Any) -> Any:
        return self.client.get(self.url(path), name=name, **kwargs)

    def post_form(self, path: str, fields: list[tuple[str, str]], name: str) -> Any:
        return self.client.post(self.url(path), data=fields, name=name, allow_redirects=False, catch_response=True)

    def on_start(self) -> None:
        self.agreements: list[str] = []
        self.partnerships: list[str] = []
        self.sign_in()
        page = self.get("/agreements/", "agreements list").text
        self.agreements = sorted(set(_AGREEMENT.findall(page)))
        page = self.get("/partnerships/", "partnerships list").text
        self.partnerships = sorted(set(_PARTNERSHIP.findall(page)))

    # --- signing in -------------------------------------------------------------------------------------------

    def sign_in(self) -> None:
        token = csrf_token(self.get("/sign-in", "sign in (form)").text) or ""
        fields = [("csrf_token", token), ("email", self.email), ("password", PASSWORD)]
        with self.post_form("/sign-in", fields, "sign in (post)") as response:
            if response.status_code == 302 and not response.headers.get("Location", "").endswith("/sign-in"):
                RECORD["sign_ins"] += 1
                response.success()
            else:
                response.failure(f"sign-in answered {response.status_code}")

    @task(1)
    def sign_out_and_in(self) -> None:
        token = csrf_token(self.get("/", "home").text) or ""
        with self.post_form("/sign-out", [("csrf_token", token)], "sign out") as response:
            if response.status_code == 302:
                RECORD["sign_outs"] += 1
                response.success()
            else:
                response.failure(f"sign-out answered {response.status_code}")
        self.client.cookies.clear()
        self.sign_in()

    # --- reading -------------------------------------------------------------------------------------------------

    @task(6)
    def home(self) -> None:
        self.get("/", "home")

    @task(5)
    def organisations(self) -> None:
        query = random.choice(["", "?q=north", "?sector=public", "?kind=charity", "?sort=-updated", "?page=2"])
        self.get("/organisations/" + query, "organisations list")

    @task(5)
    def agreements_list(self) -> None:
        query = random.choice(["", "?q=data", "?status=active", "?sort=-updated", "?status=draft"])
        self.get("/agreements/" + query, "agreements list")

    @task(5)
    def agreement_page(self) -> None:
        if self.agreements:
            self.get(f"/agreements/{random.choice(self.agreements)}", "agreement page")

    @task(3)
    def partnerships_list(self) -> None:
        self.get("/partnerships/", "partnerships list")

    @task(3)
    def partnership_page(self) -> None:
        if self.partnerships:
            self.get(f"/partnerships/{random.choice(self.partnerships)}", "partnership page")

    @task(2)
    def agreement_pdf(self) -> None:
        if not self.agreements:
            return
        path = f"/agreements/{random.choice(self.agreements)}/document.pdf"
        with self.client.get(self.url(path), name="agreement PDF", catch_response=True) as response:
            if response.status_code == 200 and response.content.startswith(b"%PDF-"):
                RECORD["downloads"] += 1
                response.success()
            else:
                response.failure(f"PDF download answered {response.status_code}")

    # --- writing -------------------------------------------------------------------------------------------------

    def record_progress(self, objectives: list[dict[str, Any]]) -> None:
        if not objectives:
            return
        objective = random.choice(objectives)
        path = f"/partnerships/{objective['partnership_id']}/objectives/{objective['id']}/progress"
        token = csrf_token(self.get(path, "progress (form)").text) or ""
        narrative = f"{PREFIX} progress {uuid.uuid4().hex[:12]}"
        day, month, year = _today()
        fields = [("csrf_token", token), ("recorded_on", day), ("recorded_on", month), ("recorded_on", year),
                  ("value", str(random.randint(1, 500))), ("narrative", narrative)]  # fmt: skip
        with self.post_form(path, fields, "progress (post)") as response:
            if response.status_code == 302:
                RECORD["progress_recorded"].append(narrative)
                response.success()
            else:
                response.failure(f"progress update answered {response.status_code}")


class Manager(RegistryUser):
    """Keeps the register: reads, adds organisations, edits shared ones at the same time as others."""

    weight = 3
    email = "manager@example.org"

    @task(2)
    def create_organisation(self) -> None:
        token = csrf_token(self.get("/organisations/new", "create organisation (form)").text) or ""
        name = f"{PREFIX} organisation {uuid.uuid4().hex[:12]}"
        fields = [("csrf_token", token), ("name", name), ("sector", "third"), ("kind", "charity"),
                  ("postcode", "NB1 2AB")]  # fmt: skip
        with self.post_form("/organisations/new", fields, "create organisation (post)") as response:
            if response.status_code == 302 and "/organisations/" in response.headers.get("Location", ""):
                RECORD["organisations_created"].append(name)
                response.success()
            else:
                response.failure(f"create organisation answered {response.status_code}")

    @task(2)
    def edit_shared_organisation(self) -> None:
        """Many people edit the same few organisations: each save either lands or is told someone got there
        first (the optimistic lock); none may be lost."""
        organisation_id = random.choice(TARGETS.get("shared_organisations") or [0])
        path = f"/organisations/{organisation_id}/edit"
        fields = form_fields(self.get(path, "edit organisation (form)").text)
        fields = replace(fields, main_contact_name=f"{PREFIX} contact {uuid.uuid4().hex[:8]}")
        with self.post_form(path, fields, "edit organisation (post)") as response:
            if response.status_code == 302:
                RECORD["organisation_edits"][str(organisation_id)] += 1
                response.success()
            elif response.status_code == 200 and has_error_summary(response.text) and STALE in response.text:
                RECORD["edit_conflicts"] += 1  # someone else saved first: the page says so
                response.success()
            else:
                response.failure(f"edit organisation answered {response.status_code}")

    @task(2)
    def progress(self) -> None:
        self.record_progress(TARGETS.get("objectives", []))


class Partner(RegistryUser):
    """A partner organisation's user: their own records, downloads and their own objective's progress."""

    weight = 1
    email = "partner@example.org"

    @task(2)
    def progress(self) -> None:
        self.record_progress(TARGETS.get("partner_objectives", []))
