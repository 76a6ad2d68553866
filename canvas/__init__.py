"""Business Model Canvas teaching and planning tool: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .config import DEFAULTS


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app: defaults, then the instance folder's config.py and
    CANVAS_* variables, or, for tests, only the mapping given."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'canvas.sqlite3'}"
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CANVAS")
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # templates/ and static/ live at the top level, beside the package.
    app.template_folder = app.config["TEMPLATES_DIR"]
    app.static_folder = app.config["STATIC_DIR"]

    from . import cli, database, errors, i18n, library, templating
    from .auth.views import bp as auth_bp
    from .canvases.board import bp as canvases_bp  # the home's routes and the board's
    from .exports.views import bp as exports_bp
    from .extensions import csrf, db, login_manager, migrate
    from .learn.views import bp as learn_bp
    from .worksheets.views import bp as worksheets_bp

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    database.init_app(app)
    library.init_app(app)
    errors.init_app(app)
    templating.configure(app.jinja_env)
    for blueprint in (auth_bp, canvases_bp, learn_bp, worksheets_bp, exports_bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app
