import re

from fluxkit.services import accounts, sessions
from fluxkit.services.audit import RequestMeta

META = RequestMeta(ip="127.0.0.1", user_agent="pytest")


def _link_token(message) -> str:
    return re.search(r"token=([\w-]+)", message.get_content()).group(1)


def test_sign_up_verify_sign_in_resolves_session(db, clock):
    [email] = accounts.sign_up(
        db, name="Ada", email=" Ada@Example.COM ", password="correct horse battery", meta=META, clock=clock
    )
    db.commit()
    assert email["To"] == "ada@example.com"
    user = accounts.verify_email(db, _link_token(email), META, clock)
    assert user.email_verified
    token, identity = accounts.sign_in(
        db, email="ada@example.com", password="correct horse battery", meta=META, clock=clock
    )
    db.commit()
    assert sessions.resolve(db, token, clock).user.email == "ada@example.com"
