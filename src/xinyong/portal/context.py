"""What every portal page depends on: the service, the page's language, the signed-in subject
(if any) and how a page is answered. The portal is a thin layer over the library, like the API:
it reads through the same core functions and the same access rules."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from xinyong.application import Application
from xinyong.disclosure.tokens import PUBLIC, Principal, Role
from xinyong.documents.render import LANGUAGES, Language, Translator, render
from xinyong.errors import Forbidden, Unauthenticated

LANG_COOKIE = "xinyong_lang"
TOKEN_COOKIE = "xinyong_token"
YEAR = 365 * 24 * 3600


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

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    @property
    def today(self) -> date:
        return self.svc.today()

    @property
    def signed_in(self) -> bool:
        return self.principal.role is Role.SUBJECT

    def csrf(self) -> str:
        """A form's anti-forgery value, bound to the sign-in token."""
        token = self.request.cookies.get(TOKEN_COOKIE, "")
        return hmac.new(token.encode(), b"xinyong-portal-form", hashlib.sha256).hexdigest()[:32]

    def check_csrf(self, value: str) -> None:
        if not hmac.compare_digest(value, self.csrf()):
            raise Forbidden("the form has expired; open the page again and resubmit")

    def code_of(self, subject_id: int) -> str:
        """The code of the subject with ``subject_id`` (for pages addressed by id)."""
        return self.svc.files.code_of(subject_id)

    def subject_code(self) -> str:
        if not self.signed_in or not self.principal.subject_code:
            raise Unauthenticated("sign in with the token the platform issued to you")
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
        if self.remember_lang:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=YEAR, samesite="lax")
        return response


def service(request: Request) -> Application:
    """The application the portal was built over."""
    found: Application = request.app.state.service
    return found


def page(request: Request, svc: Annotated[Application, Depends(service)]) -> Page:
    lang, remember = _language(request)
    principal = PUBLIC
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        try:
            principal = svc.authenticate(token)
        except Unauthenticated:
            principal = PUBLIC  # an expired or revoked token: signed out
    if principal.role not in (Role.SUBJECT, Role.PUBLIC):
        principal = PUBLIC  # the portal signs in subjects only; officials use the API
    return Page(request, svc, lang, remember, principal)


Ctx = Annotated[Page, Depends(page)]
