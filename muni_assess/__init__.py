"""muni_assess: municipal IT self-assessment, roadmaps and grant readiness for towns, COGs and states."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from muni_assess.config import Defaults, database_url


def create_app(test_config: dict | None = None) -> Flask:
    """Assemble the app: config, content check, extensions, blueprints, errors, CLI. No other side effects."""
    app = Flask(__name__, instance_relative_config=True, template_folder=Defaults.TEMPLATE_DIR)
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("MUNI_ASSESS")
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app.instance_path))
    if not app.config.get("SECRET_KEY") and not app.testing:
        raise RuntimeError(
            "No SECRET_KEY: set MUNI_ASSESS_SECRET_KEY or put SECRET_KEY in instance/config.py "
            "(see instance/config.example.py). `make demo` writes one for you.")
    if app.config["STATE"] not in ("CT", "MA"):
        raise RuntimeError(f"STATE must be CT or MA, not {app.config['STATE']!r}")

    from muni_assess import contentstore

    contentstore.check(app)  # malformed content stops start-up with file, line and field

    _init_extensions(app)
    app.url_map.converters["int"] = _DatabaseInt  # before the blueprints: every <int:...> route uses it
    _register_blueprints(app)
    _trust_proxies(app)

    from muni_assess import cli, errors, templating

    templating.register(app)
    errors.register(app)
    cli.register(app)
    return app


class _DatabaseInt(IntegerConverter):
    """<int:...> URL parts fit a database integer: a larger id is simply not found (404), where PostgreSQL would
    otherwise fail the query ("integer out of range", a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX reverse proxies, read the client's address, scheme and host from their X-Forwarded-*
    headers (werkzeug's ProxyFix); with 0 (the default) those headers are ignored."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops < 0:
        raise RuntimeError(f"PROXY_FIX must be 0 or more, not {hops}")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def _init_extensions(app: Flask) -> None:
    from muni_assess.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Defaults.MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from muni_assess import security

    security.init_app(app)  # headers, session timeouts, mandatory two-step enrolment, sign-in throttling
    login_manager.user_loader(security.load_user)  # also ends sessions older than "sign out everywhere"

    with app.app_context():
        from muni_assess.dbsetup import configure_engine

        configure_engine(db.engine)


def _register_blueprints(app: Flask) -> None:
    from muni_assess.admin import bp as admin_bp
    from muni_assess.assess import bp as assess_bp
    from muni_assess.auth import bp as auth_bp
    from muni_assess.funding import bp as funding_bp
    from muni_assess.grants import bp as grants_bp
    from muni_assess.main import bp as main_bp
    from muni_assess.regional import bp as regional_bp
    from muni_assess.reports import bp as reports_bp

    for bp in (main_bp, auth_bp, assess_bp, regional_bp, reports_bp, admin_bp, grants_bp, funding_bp):
        app.register_blueprint(bp)
