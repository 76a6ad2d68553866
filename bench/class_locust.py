"""The locust file for bench/class.py: 300 students autosaving every 3 s, a teacher
reviewing and exporting. Run through bench/class.py, which makes the install and checks
the saves afterwards."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

from locust import HttpUser, between, constant, events, task

ACCOUNTS = json.loads(Path(os.environ["CLASS_ACCOUNTS"]).read_text(encoding="utf-8"))
PASSWORD = os.environ["CLASS_PASSWORD"]
_next = iter(ACCOUNTS["students"])
_lock = threading.Lock()
ACKED: dict[str, list] = {}  # worksheet id -> [last acknowledged text, version, last sent]


def _csrf(text: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', text).group(1)


def _sign_in(user: HttpUser, email: str) -> str:
    page = user.client.get("/auth/login", name="sign-in page")
    user.client.post("/auth/login", name="sign in", allow_redirects=False, data={
        "email": email, "password": PASSWORD, "csrf_token": _csrf(page.text)})
    return _csrf(user.client.get("/", name="home").text)


class Student(HttpUser):
    """Types in one worksheet step; the page autosaves every 3 s."""

    wait_time = constant(3)
    weight = 300

    def on_start(self) -> None:
        with _lock:
            account = next(_next)
        self.email, self.worksheet = account["email"], str(account["worksheet"])
        self.csrf = _sign_in(self, self.email)
        self.client.get(f"/worksheets/{self.worksheet}/steps/focus", name="step page")
        self.version, self.n = 1, 0

    @task
    def autosave(self) -> None:
        self.n += 1
        text = f"{self.email} {self.n}"
        ACKED.setdefault(self.worksheet, ["", 0, ""])[2] = text
        with self.client.post(
                f"/worksheets/{self.worksheet}/steps/focus/autosave", name="autosave",
                data=json.dumps({"version": self.version, "step": "focus",
                                 "fields": {"segment": text, "value_proposition": ""}}),
                headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
                catch_response=True) as response:
            if response.status_code == 200:
                self.version = response.json()["version"]
                ACKED[self.worksheet][:2] = [text, self.version]
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")


class Teacher(HttpUser):
    """Reviews the class's pages and exports posters and reports."""

    wait_time = between(5, 10)
    fixed_count = 1

    def on_start(self) -> None:
        _sign_in(self, ACCOUNTS["teacher"]["email"])

    @task(3)
    def review(self) -> None:
        self.client.get(f"/canvases/{ACCOUNTS['teacher']['canvas']}", name="board")
        self.client.get("/", name="home")

    @task(1)
    def export(self) -> None:
        canvas, sheet = ACCOUNTS["teacher"]["canvas"], ACCOUNTS["teacher"]["worksheet"]
        self.client.get(f"/canvases/{canvas}/poster.pdf", name="poster.pdf")
        self.client.get(f"/worksheets/{sheet}/report.pdf", name="report.pdf")


@events.test_stop.add_listener
def _write_acknowledged(environment, **_kw) -> None:
    with open(os.environ["CLASS_ACKED"], "w", encoding="utf-8") as out:
        json.dump(ACKED, out)
