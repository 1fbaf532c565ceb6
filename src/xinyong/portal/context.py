"""What every portal page depends on: the service, the page's language, the signed-in subject
(if any) and how a page is answered. The portal is a thin layer over the library, like the API:
it reads through the same core functions and the same access rules."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from xinyong.application import Application
from xinyong.application.errors import status_of
from xinyong.disclosure.access import Read
from xinyong.disclosure.tokens import PUBLIC, Principal, Role
from xinyong.documents.render import LANGUAGES, Language, Translator, render
from xinyong.errors import Forbidden, Unauthenticated, XinyongError
from xinyong.portal import reads

LANG_COOKIE = "xinyong_lang"
TOKEN_COOKIE = "xinyong_token"
FORM_COOKIE = "xinyong_form"
YEAR = 365 * 24 * 3600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: The roles that sign in to the officials' workbench.
WORKBENCH = (Role.OFFICIAL, Role.DEPARTMENT)


def _language(request: Request) -> tuple[Language, bool]:
    """The page's language: ?lang= (remembered in a cookie), the cookie, the browser's
    Accept-Language, or Chinese."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LANGUAGES:
        return kept, False
    accept = request.headers.get("accept-language", "").lower()
    if accept.startswith("en"):
        return "en", False
    return "zh", False


@dataclass
class Page:
    request: Request
    svc: Application
    lang: Language
    remember_lang: bool
    principal: Principal
    new_seed: str | None = None

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    @property
    def today(self) -> date:
        return self.svc.today()

    @property
    def signed_in(self) -> bool:
        return self.principal.role is Role.SUBJECT

    @property
    def official(self) -> bool:
        """Signed in to the workbench: a credit office's or a department's staff."""
        return self.principal.role in WORKBENCH

    def csrf(self) -> str:
        """A form's anti-forgery value: derived from a random value this site keeps in a
        cookie of its own (sent by the browser to this site only, SameSite=Strict) and from
        the sign-in token, so a page elsewhere can neither read nor forge it."""
        seed = self.request.cookies.get(FORM_COOKIE) or self._seed()
        token = self.request.cookies.get(TOKEN_COOKIE, "")
        return hmac.new(seed.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]

    def _seed(self) -> str:
        if self.new_seed is None:
            self.new_seed = secrets.token_hex(16)
        return self.new_seed

    def check_csrf(self, value: str) -> None:
        """Refuse a state-changing form that did not come from one of this site's pages."""
        seed = self.request.cookies.get(FORM_COOKIE)
        if not seed or not hmac.compare_digest(value, self.csrf()):
            raise Forbidden("the form has expired; open the page again and resubmit").saying(
                "form_expired"
            )

    @property
    def secure(self) -> bool:
        """Whether cookies are marked Secure: always, but on plain HTTP to this machine itself
        (a developer's or the demo's http://127.0.0.1)."""
        host = self.request.url.hostname or ""
        return self.request.url.scheme == "https" or host not in LOOPBACK

    def keep(self, response: Response) -> Response:
        """Set the cookies this page needs on ``response``."""
        if self.remember_lang:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=YEAR, samesite="lax")
        if self.new_seed is not None:
            response.set_cookie(
                FORM_COOKIE, self.new_seed, httponly=True, samesite="strict", secure=self.secure
            )
        return response

    def told(self, error: XinyongError) -> Markup:
        """An error as this page's reader is told it: its catalog message; for an error that
        has none, the kind of refusal in this language and the developer's words, marked as
        English so that readers and screen readers know."""
        if error.key is not None:
            return escape(self.t(error.key).format(**error.params))
        general = self.t(f"fault_{status_of(error)}")
        if self.lang == "en":
            return escape(f"{general} {error}")
        return Markup(f'{escape(general)} <span lang="en">{escape(str(error))}</span>')

    def grade(self, scheme_id: str, code: str | None) -> str:
        """A grade of a scheme by its name in this page's language ("—" for none)."""
        if not code:
            return "—"
        grades = self.svc.library.grades_of(scheme_id)
        return grades.name_of(code, self.lang) if grades else code

    def grade_names(self, scheme_id: str) -> dict[str, str]:
        grades = self.svc.library.grades_of(scheme_id)
        return {c: grades.name_of(c, self.lang) for c in grades.codes()} if grades else {}

    def read(self, entry: Read) -> dict[str, Markup | str]:
        """An access-log entry as this page tells it (see :mod:`xinyong.portal.reads`)."""
        return reads.told(self.t, entry, self.svc.settings.timezone)

    def actor(self, text: str) -> Markup:
        """Who took a step (``official:李明``), told with the role in this page's language."""
        return reads.actor(self.t, text)

    def local(self, moment: datetime) -> str:
        """A stored moment in the platform's time zone."""
        return reads.local(moment, self.svc.settings.timezone)

    def code_of(self, subject_id: int) -> str:
        """The code of the subject with ``subject_id`` (for pages addressed by id)."""
        return self.svc.files.code_of(subject_id)

    def subject_code(self) -> str:
        if not self.signed_in or not self.principal.subject_code:
            raise Unauthenticated("sign in with the token the platform issued to you").saying(
                "sign_in_first"
            )
        return self.principal.subject_code

    def html(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = render(
            template,
            self.lang,
            ctx=self,
            path=self.request.url.path,
            params=dict(self.request.query_params),
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        self.keep(response)
        return response


async def service(request: Request) -> Application:
    """The application the portal was built over."""
    found: Application = request.app.state.service
    return found


def client_of(request: Request) -> str:
    """Who is calling, for the sign-in gate (the address the connection came from)."""
    return request.client.host if request.client else "-"


async def page(request: Request, svc: Annotated[Application, Depends(service)]) -> Page:
    lang, remember = _language(request)
    principal = PUBLIC
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        try:
            principal = await to_thread.run_sync(svc.authenticate, token, client_of(request))
        except Unauthenticated:
            principal = PUBLIC  # an expired or revoked token: signed out
    if principal.role not in (Role.SUBJECT, Role.PUBLIC, *WORKBENCH):
        principal = PUBLIC  # an agency or an auditor uses the API
    return Page(request, svc, lang, remember, principal)


Ctx = Annotated[Page, Depends(page)]
