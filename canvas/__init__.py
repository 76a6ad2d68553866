"""Business Model Canvas teaching and planning tool: the application factory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from .config import DEFAULTS, DEV_SECRET_KEY, database_uri, from_environment, rate_limit_storage


class InsecureConfig(RuntimeError):
    """The configuration is not safe to serve with; the message says how to fix it."""


def check_secret_key(app: Flask) -> None:
    """Refuse the built-in key outside debug and tests: anyone could forge a session."""
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY")
    if not key or key == DEV_SECRET_KEY:
        raise InsecureConfig(
            "SECRET_KEY is the built-in development key, so anyone could forge a session "
            "cookie and sign in as any user. `make run` (make instance/config.py) writes a "
            f"random key to {Path(app.instance_path) / 'config.py'}; or set SECRET_KEY there, "
            "or the environment variable CANVAS_SECRET_KEY.")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app: defaults, then the instance folder's config.py, the
    host's unprefixed variables (DATABASE_URL, SECRET_KEY, REDIS_URL, MAIL_*, HTTPS, PROXIES)
    and CANVAS_* variables, or, for tests, only the mapping given."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'canvas.sqlite3'}"
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(from_environment())
        app.config.from_prefixed_env("CANVAS")
    else:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    check_secret_key(app)
    # Before any blueprint adds a rule: every <int:...> in the app is bounded.
    from .converters import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    app.config.setdefault("RATELIMIT_STORAGE_URI", rate_limit_storage(app.config))
    # The signed cookie itself stops working when a session could not outlive it anyway.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(app.config["SESSION_MAX_HOURS"]))

    # templates/ and static/ live at the top level, beside the package.
    app.template_folder = app.config["TEMPLATES_DIR"]
    app.static_folder = app.config["STATIC_DIR"]

    from . import (
        audit,
        cli,
        database,
        errors,
        headers,
        health,
        jobs,
        library,
        locale,
        site,
        static_files,
        templating,
        transfer,
        web,
    )
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .auth import signin
    from .auth.views import bp as auth_bp
    from .canvases.board import bp as canvases_bp  # the home's routes and the board's
    from .classroom import glance, learning, teaching  # noqa: F401 - they add routes to `bp`
    from .classroom.views import bp as classroom_bp
    from .exports.views import bp as exports_bp
    from .extensions import csrf, db, limiter, login_manager, mail, migrate
    from .learn.views import bp as learn_bp
    from .worksheets.views import bp as worksheets_bp

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    headers.init_app(app)
    audit.init_app(app)
    signin.init_app(app)
    locale.init_app(app)
    database.init_app(app)
    library.init_app(app)
    errors.init_app(app)
    templating.configure(app.jinja_env)
    for blueprint in (site.bp, locale.bp, auth_bp, canvases_bp, learn_bp, worksheets_bp, exports_bp,
                      account_bp, admin_bp, classroom_bp):
        app.register_blueprint(blueprint)
    app.before_request(web.refuse_nul_characters)
    health.init_app(app)
    jobs.init_app(app, create_app)
    transfer.init_app(app)
    cli.init_app(app)
    static_files.init_app(app)  # last: it wraps app.wsgi_app (after ProxyFix, in front)
    return app
