"""Settings, read from the environment and checked at start-up.

REGISTRY_ENV picks the settings class: ``production`` (the default, so a
forgotten variable fails safe), ``development`` (``make run``) or ``test``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("REGISTRY_INSTANCE_DIR", BASE_DIR / "instance"))

MIN_SECRET_KEY_BYTES = 32


class ConfigError(RuntimeError):
    """The environment does not describe a safe, working configuration."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the platform hands us."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _local_secret_key() -> str:
    """A secret generated once into instance/ for local runs, never committed."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def local_signing_key(directory: Path) -> tuple[str, str]:
    """The self-signed sealing key for local runs in ``directory``, made on first use."""
    path, passphrase_file = directory / "signing.p12", directory / "signing-passphrase"
    if not path.exists():
        from registry.documents.keys import make_self_signed

        directory.mkdir(parents=True, exist_ok=True)
        passphrase_file.write_text(secrets.token_urlsafe(24))
        passphrase_file.chmod(0o600)
        make_self_signed(
            directory,
            "Partnership registry seal (local, self-signed)",
            "Local registry",
            passphrase_file.read_text().encode(),
        )
    return str(path), passphrase_file.read_text().strip()


_THROWAWAY: dict[str, tuple[str, str]] = {}


def _throwaway_signing_key() -> tuple[str, str]:
    """One self-signed key per test process, in a temporary folder."""
    if "key" not in _THROWAWAY:
        import tempfile

        _THROWAWAY["key"] = local_signing_key(Path(tempfile.mkdtemp(prefix="registry-test-key-")))
    return _THROWAWAY["key"]


class Config:
    ENV_NAME = "base"
    SERVICE_NAME = "Partnership and data-sharing registry"
    ORGANISATION_NAME = os.environ.get("REGISTRY_COUNCIL_NAME", "Northbridge Borough Council")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'registry.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # Strict-Transport-Security: production only (local runs are plain HTTP on 127.0.0.1)
    SEND_HSTS = False
    REMEMBER_COOKIE_DURATION = 0
    # a signed-in session ends after this long without use, and this long after signing in however busy
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # a little above the verification upload limit, so that gets its own message
    PAGE_SIZE = 20
    ALLOW_DEMO_DATA = False
    # Argon2id cost; empty means argon2-cffi's recommended defaults
    PASSWORD_HASH_PARAMS: dict[str, int] = {}
    # sign-in throttling, counted in the database (registry/services/throttle.py): after SLOW_AFTER failures
    # an account's sign-ins wait DELAY_SECONDS, doubling each time; at a limit within the window, locked
    SIGN_IN_WINDOW_MINUTES = 15
    SIGN_IN_LOCK_MINUTES = 15
    SIGN_IN_ACCOUNT_LIMIT = 5
    SIGN_IN_ADDRESS_LIMIT = 20
    SIGN_IN_SLOW_AFTER = 2
    SIGN_IN_DELAY_SECONDS = 1.0
    # roles that must use two-factor sign-in (TOTP): they can use nothing else until they have set it up
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ("admin", "ig_officer")
    # how many times a request PostgreSQL chose as a deadlock victim (or could not serialise) is run again
    # from the start, before its failure is shown (registry/retry.py); 0 turns retrying off
    REQUEST_RETRIES: int | str = os.environ.get("REGISTRY_REQUEST_RETRIES", "3")
    # how many reverse proxies in front add X-Forwarded-For (0: none, so the connecting address is the client's)
    TRUSTED_PROXIES: int | str = os.environ.get("REGISTRY_TRUSTED_PROXIES", "0")
    DEMO_PASSWORD = os.environ.get("REGISTRY_DEMO_PASSWORD", "demo-password-2026")
    # the two baseline routes `make bench` compares pages with (registry/web/bench_baseline.py); off unless asked
    BENCH_BASELINES = os.environ.get("REGISTRY_BENCH_BASELINES") == "1"
    # the public address of the service, for links in documents (the verification QR code) and email
    BASE_URL = os.environ.get("REGISTRY_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # the registry's sealing key: a PKCS#12 file, or a PEM key and certificate; passphrase from the environment
    SIGNING_PKCS12 = os.environ.get("SIGNING_PKCS12")
    SIGNING_KEY_PEM = os.environ.get("SIGNING_KEY_PEM")
    SIGNING_CERT_PEM = os.environ.get("SIGNING_CERT_PEM")
    SIGNING_KEY_PASSPHRASE = os.environ.get("SIGNING_KEY_PASSPHRASE")
    MAX_VERIFY_UPLOAD = 5 * 1024 * 1024
    # email (review reminders) over SMTP; without SMTP_HOST, local runs print mail to the console.
    # SMTP_STARTTLS defaults to on unless SMTP_USE_SSL is on; SMTP_PORT to 465 with SSL, else 587 or 25
    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT: int | str | None = os.environ.get("SMTP_PORT") or None
    SMTP_STARTTLS: bool | str | None = os.environ.get("SMTP_STARTTLS") or None
    SMTP_USE_SSL: bool | str | None = os.environ.get("SMTP_USE_SSL") or None
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM") or None

    @classmethod
    def check(cls, settings: dict) -> None:
        """Refuse to start with settings that would be unsafe."""
        key = settings.get("SECRET_KEY")
        if not key or len(key.encode()) < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_BYTES} bytes of random text "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        check_mail(settings, production=cls.ENV_NAME == "production")
        proxies = str(settings.get("TRUSTED_PROXIES") or 0).strip()
        if not proxies.isdigit() or int(proxies) > 5:
            raise ConfigError(f"REGISTRY_TRUSTED_PROXIES must be a number of proxies from 0 to 5, not {proxies!r}.")
        settings["TRUSTED_PROXIES"] = int(proxies)
        retries = str(settings.get("REQUEST_RETRIES", 0)).strip()
        if not retries.isdigit() or int(retries) > 10:
            raise ConfigError(f"REGISTRY_REQUEST_RETRIES must be a number from 0 to 10, not {retries!r}.")
        settings["REQUEST_RETRIES"] = int(retries)


def _flag(settings: dict, name: str) -> bool | None:
    value = settings.get(name)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def check_mail(settings: dict, *, production: bool) -> None:
    """Turn the SMTP settings into their types and refuse ones that cannot work or would leak the password."""
    ssl = bool(_flag(settings, "SMTP_USE_SSL"))
    starttls = _flag(settings, "SMTP_STARTTLS")
    if ssl and starttls:
        raise ConfigError("Set only one of SMTP_USE_SSL (TLS from the start) and SMTP_STARTTLS (TLS after connecting).")
    settings["SMTP_USE_SSL"], settings["SMTP_STARTTLS"] = ssl, (not ssl) if starttls is None else starttls
    port = settings.get("SMTP_PORT")
    if port in (None, ""):
        port = 465 if ssl else 587 if settings["SMTP_STARTTLS"] else 25
    if not str(port).isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"SMTP_PORT must be a port number, not {port!r}.")
    settings["SMTP_PORT"] = int(port)
    if not settings.get("SMTP_HOST"):
        return
    if "@" not in (settings.get("MAIL_FROM") or ""):
        raise ConfigError("MAIL_FROM must be set to the address email comes from, for example registry@example.gov.uk.")
    if bool(settings.get("SMTP_USERNAME")) != bool(settings.get("SMTP_PASSWORD")):
        raise ConfigError("Set both SMTP_USERNAME and SMTP_PASSWORD, or neither.")
    if production and settings.get("SMTP_USERNAME") and not (ssl or settings["SMTP_STARTTLS"]):
        raise ConfigError("SMTP_USERNAME needs SMTP_STARTTLS or SMTP_USE_SSL: the password must not travel in clear.")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SEND_HSTS = True


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    ALLOW_DEMO_DATA = True
    SECRET_KEY = os.environ.get("SECRET_KEY") or None

    @classmethod
    def check(cls, settings: dict) -> None:
        if not settings.get("SECRET_KEY"):
            settings["SECRET_KEY"] = _local_secret_key()
        if not (settings.get("SIGNING_PKCS12") or settings.get("SIGNING_KEY_PEM")):
            # the self-signed key `flask registry init-signing-key` makes for local runs
            settings["SIGNING_PKCS12"] = str(INSTANCE_DIR / "signing.p12")
            passphrase_file = INSTANCE_DIR / "signing-passphrase"
            if not settings.get("SIGNING_KEY_PASSPHRASE") and passphrase_file.exists():
                settings["SIGNING_KEY_PASSPHRASE"] = passphrase_file.read_text().strip()
        super().check(settings)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    ALLOW_DEMO_DATA = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-checks"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    BASE_URL = "http://registry.test"
    SMTP_HOST = None  # never real mail from tests: they start their own SMTP server on loopback
    MAIL_FROM = "Partnership registry <registry@registry.test>"

    @classmethod
    def check(cls, settings: dict) -> None:
        if not (settings.get("SIGNING_PKCS12") or settings.get("SIGNING_KEY_PEM")):
            settings["SIGNING_PKCS12"], settings["SIGNING_KEY_PASSPHRASE"] = _throwaway_signing_key()
        super().check(settings)

    # cheap hashing keeps the suite fast; the algorithm is the same
    PASSWORD_HASH_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    SIGN_IN_DELAY_SECONDS = 0.0  # tests never sleep; test_throttling checks the delays asked for
    # off, so the suite's sign-in helpers sign admins in with a password; test_two_factor.py turns it on
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ()


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("REGISTRY_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"REGISTRY_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from None
