"""Sign-in (anyone), sign-out, password and time zone (a signed-in user, for their own account)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import bp, mark_active
from tracker.auth.forms import (
    ForgotForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    RemindersForm,
    ReviewMailForm,
    SetPasswordForm,
    TimeZoneForm,
)
from tracker.domain import permissions
from tracker.domain.errors import Invalid, PermissionDenied
from tracker.extensions import csrf, db, limiter
from tracker.forms import EmptyForm, attach_error, choices, deliver_after, form_status, submit
from tracker.i18n import COOKIE as LANGUAGE_COOKIE
from tracker.i18n import LANGUAGES
from tracker.models.user import REMINDER_CHOICES, REVIEW_MAIL_CHOICES
from tracker.services import account_links, accounts, sign_in
from tracker.services import reminders as reminder_service
from tracker.timezones import zone_names
from tracker.vocabulary import reminder_label

# The one answer to every refused sign-in: unknown account, wrong password, locked account.
SIGN_IN_REFUSED = (
    "E-mail or password is wrong, or this account had too many failed sign-ins: "
    "check both, or wait a quarter of an hour."
)


def safe_next(target: str | None) -> str:
    """Only a path of this app: one leading "/", never "//" or "/\\" however it is encoded,
    no scheme, host or control character; anything else goes to the home page."""
    home = url_for("main.index")
    if not target or len(target) > 2000:
        return home
    decoded = target
    for _attempt in range(5):  # undo nested percent-encoding, as a chain of redirects might
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    for text in (target, decoded):
        parts = urlsplit(text)
        if (
            parts.scheme
            or parts.netloc
            or not text.startswith("/")
            or text.startswith(("//", "/\\"))
            or "\\" in text
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)
        ):
            return home
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def login() -> (
    ResponseReturnValue
):  # Who: anyone; attempts are limited per account and per client address.
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        target = safe_next(request.args.get("next"))  # checked before anything is committed
        user = sign_in.authenticate(form.email.data, form.password.data, client=request.remote_addr)
        if user is None:
            db.session.commit()  # keep the failed attempt in the audit trail
            form.password.errors.append(SIGN_IN_REFUSED)
            return render_template("auth/login.html", form=form), 400
        session.clear()
        sign_in.start_session(user)
        db.session.commit()
        login_user(user)
        mark_active()
        flash(_("Signed in as %(name)s.", name=user.display_name), "info")
        return redirect(target)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def forgot() -> ResponseReturnValue:  # Who: anyone; limited per client and per address.
    form = ForgotForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form, sent=False), form_status(form)
    # Per address asked about, whoever asks: counted in the database, shared by every worker.
    if not account_links.reset_allowed(
        form.email.data, current_app.config["RESET_PER_ADDRESS_LIMIT"]
    ):
        db.session.commit()  # the count stands
        abort(429)
    recorded = account_links.request_reset(form.email.data)
    db.session.commit()
    response = make_response(
        render_template("auth/forgot.html", form=ForgotForm(formdata=None), sent=True)
    )
    if recorded is not None:  # sent once the answer is: its time tells nobody anything
        deliver_after(response, [recorded])
    return response


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:  # Who: whoever holds the link, once.
    try:
        link = account_links.usable(token)
    except Invalid as refused:
        return render_template("auth/set_password.html", form=None, refused=refused.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = account_links.set_password(token, form.new_password.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            db.session.commit()
            flash(_("Password set for %(email)s. Sign in with it.", email=user.email), "info")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/set_password.html", form=form, purpose=link.purpose, email=link.user.email
    ), form_status(form)


@bp.route("/language", methods=["GET", "POST"])
def language() -> ResponseReturnValue:  # Who: anyone, for themselves (cookie and own setting).
    form = LanguageForm()
    form.language.choices = choices(LANGUAGES.items())
    back = safe_next(form.next.data or request.args.get("next"))
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST":
            flash(_("Choose English or Deutsch."), "error")
        return redirect(back)
    code = form.language.data
    if current_user.is_authenticated:
        accounts.set_language(current_user, code)
        db.session.commit()
    response = redirect(back)
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout() -> ResponseReturnValue:  # Who: any signed-in user, for their own session.
    if request.method == "GET":  # signing out is a form's POST; a GET goes back to the site
        return redirect(url_for("main.index"))
    if EmptyForm().validate_on_submit():
        sign_in.sign_out(current_user, current_user.get_id())
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Signed out."), "info")
    return redirect(url_for("auth.login"))


def time_zone_form(**kwargs: object) -> TimeZoneForm:
    form = TimeZoneForm(**kwargs)
    default = current_app.config["TIME_ZONE"]
    form.time_zone.choices = choices(
        [("", f"The site's default ({default})"), *((z, z) for z in sorted(zone_names()))]
    )
    if form.time_zone.data is None:
        form.time_zone.data = current_user.time_zone or ""
    return form


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:  # Who: any signed-in user, for their own account.
    form = PasswordChangeForm()
    done = submit(
        form,
        lambda: accounts.change_own_password(
            current_user,
            current=form.current_password.data,
            new=form.new_password.data,
            keep_session=current_user.get_id(),
        ),
        redirect_to=lambda _result: url_for("main.index"),
        message=_l("Password changed. Your other sessions were signed out."),
    )
    return done or (_account_page(form=form), form_status(form))


def reminders_form(**kwargs: object) -> RemindersForm:
    form = RemindersForm(**kwargs)
    form.reminders.choices = choices((c, reminder_label(c)) for c in REMINDER_CHOICES)
    if form.reminders.data is None:
        form.reminders.data = current_user.reminders
    return form


REVIEW_MAIL_LABELS = {
    "digest": _l("in my reminder digest"),
    "immediate": _l("a message for each submission"),
}


def review_mail_form(**kwargs: object) -> ReviewMailForm:
    form = ReviewMailForm(**kwargs)
    form.review_mail.choices = choices((c, str(REVIEW_MAIL_LABELS[c])) for c in REVIEW_MAIL_CHOICES)
    if form.review_mail.data is None:
        form.review_mail.data = current_user.review_mail
    return form


def _account_page(**forms: object) -> str:
    """The account page, with the forms given (a form sent back with its errors) and the others
    fresh."""
    return render_template(
        "auth/password.html",
        form=forms.get("form") or PasswordChangeForm(formdata=None),
        zone_form=forms.get("zone_form") or time_zone_form(formdata=None),
        reminder_form=forms.get("reminder_form") or reminders_form(formdata=None),
        review_mail_form=(
            (forms.get("review_mail_form") or review_mail_form(formdata=None))
            if permissions.is_reviewer(current_user)
            else None
        ),
    )


@dataclass(frozen=True)
class Setting:
    """A setting of the account page: its place on the page, its form, how it is saved and
    what the user is told."""

    anchor: str  # also its address: /auth/<anchor>
    form: Callable[[], Any]
    save: Callable[[Any], object]
    saved: str
    allowed: Callable[[Any], bool] = lambda _user: True


SETTINGS = {
    "zone_form": Setting(
        "time-zone",
        time_zone_form,
        lambda form: accounts.set_time_zone(current_user, form.time_zone.data),
        _l("Time zone saved."),
    ),
    "reminder_form": Setting(
        "reminders",
        reminders_form,
        lambda form: accounts.set_reminders(current_user, form.reminders.data),
        _l("Reminders saved."),
    ),
    "review_mail_form": Setting(
        "review-mail",
        review_mail_form,
        lambda form: accounts.set_review_mail(current_user, form.review_mail.data),
        _l("Saved: how you hear of new reports to review."),
        permissions.is_reviewer,
    ),
}


def _save_setting(slot: str) -> ResponseReturnValue:
    """One setting of the account page saved, or the page again with the form's errors; a
    reload of that page (a GET) goes to the setting's place on the account page."""
    setting = SETTINGS[slot]
    if request.method == "GET":
        return redirect(url_for("auth.password", _anchor=setting.anchor))
    form = setting.form()
    done = submit(
        form,
        lambda: setting.save(form),
        redirect_to=lambda _result: url_for("auth.password"),
        message=setting.saved,
    )
    return done or (_account_page(**{slot: form}), 400)


def _setting_view(slot: str) -> Callable[[], ResponseReturnValue]:
    """POST /auth/<the setting's place>. Who: any signed-in user, for their own account (the
    review mail: reviewers only)."""

    @login_required
    def view() -> ResponseReturnValue:
        if not SETTINGS[slot].allowed(current_user):
            raise PermissionDenied(_("Only reviewers hear of new reports to review."))
        return _save_setting(slot)

    return view


for _slot, _setting in SETTINGS.items():
    bp.add_url_rule(
        f"/{_setting.anchor}",
        endpoint=_setting.anchor.replace("-", "_"),
        view_func=_setting_view(_slot),
        methods=["GET", "POST"],
    )


@bp.route("/reminders-off/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the authority; mail programs post to it in one click
def reminders_off(token: str) -> ResponseReturnValue:  # Who: whoever holds the signed link.
    user = reminder_service.unsubscriber(token)
    if user is None:
        return render_template("auth/reminders_off.html", user=None), 404
    if request.method == "POST":
        accounts.set_reminders(user, "none")
        db.session.commit()
        return render_template("auth/reminders_off.html", user=user, done=True)
    return render_template("auth/reminders_off.html", user=user, done=user.reminders == "none")
