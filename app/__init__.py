"""The partnership's training booking system: create_app() builds the Flask app."""

import secrets
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from app import audit, logs, mail, safety
from app.accounts import passwords
from app.accounts import service as accounts_service
from app.database import begin_requests_that_write_with_the_lock, configure_engine
from app.extensions import cache, csrf, db, limiter, login_manager, migrate
from app.external_training import files as external_training_files
from app.ids import IdConverter
from config import MISSING_SECRET_KEY, Config, config_from_environment, secret_key

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app from a configuration class, or the environment's with overrides."""
    app = logs.App(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    configure(app, config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config.get("TESTING"):
        logs.configure()
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    trust_proxies(app)
    init_extensions(app)
    # Before the blueprints: their rules read the converters as they are added.
    app.url_map.converters["id"] = IdConverter
    register_blueprints(app)
    register_template_helpers(app)
    register_error_pages(app)
    register_commands(app)
    return app


def configure(app: Flask, config: type[Config] | dict | None) -> None:
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(config_from_environment())
        app.config.update(config or {})
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or secret_key() or key_for_tests(app)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, read the client's address, the scheme and the host
    from the X-Forwarded-* headers they add (rate limits count by that address, and
    url_for builds https links when the proxy was reached over https)."""
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def key_for_tests(app: Flask) -> str:
    """Tests sign with a random key of their own; anything else needs SECRET_KEY set, so
    that no key anyone could read signs a session."""
    if not app.config.get("TESTING"):
        raise RuntimeError(MISSING_SECRET_KEY)
    return secrets.token_hex(32)


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["LOCK_TIMEOUT_SECONDS"])
    logs.init_app(app)
    safety.init_app(app)
    app.before_request(begin_requests_that_write_with_the_lock)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    WTFormsHelpers(app)
    mail.init_app(app)
    audit.init_app()
    external_training_files.init_app()
    passwords.configure(
        app.config["PASSWORD_HASH_TIME_COST"],
        app.config["PASSWORD_HASH_MEMORY_COST"],
        app.config["PASSWORD_HASH_PARALLELISM"],
    )

    @login_manager.user_loader
    def load_user(session_id: str):
        return accounts_service.load_user(db.session, session_id)


def register_blueprints(app: Flask) -> None:
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.bookings import bp as bookings_bp
    from app.calendar import bp as calendar_bp
    from app.catalogue import bp as catalogue_bp
    from app.certificates.routes import bp as certificates_bp
    from app.evaluations.routes import bp as evaluations_bp
    from app.external_training import bp as external_training_bp
    from app.health import bp as health_bp
    from app.privacy import bp as privacy_bp
    from app.records import bp as records_bp
    from app.reviews import bp as reviews_bp
    from app.trainer import bp as trainer_bp
    from app.transfers import bp as transfers_bp

    app.register_blueprint(catalogue_bp)
    app.register_blueprint(accounts_bp, url_prefix="/account")
    app.register_blueprint(bookings_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(external_training_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(health_bp)
    app.register_blueprint(trainer_bp, url_prefix="/trainer")
    app.register_blueprint(transfers_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")


def register_template_helpers(app: Flask) -> None:
    from app import display
    from app.links import absolute_url
    from app.page_cache import own_part

    app.jinja_env.filters.update(display.FILTERS)
    app.jinja_env.globals.update(
        absolute_url=absolute_url,
        own_part=own_part,
        partnership_name=app.config["PARTNERSHIP_NAME"],
        service_name=app.config["SERVICE_NAME"],
    )


def register_error_pages(app: Flask) -> None:
    from app import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from app import cli

    commands = (
        cli.seed,
        cli.send_mail,
        cli.expire_approvals,
        cli.tick,
        cli.check_integrity,
        cli.users,
        cli.backup,
        cli.retention,
    )
    for command in commands:
        app.cli.add_command(command)
