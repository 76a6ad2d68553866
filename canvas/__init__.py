"""Business Model Canvas teaching and planning tool: the application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from .config import DEFAULTS, env_overrides


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app: defaults, instance config, CANVAS_* variables, tests."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'canvas.sqlite3'}"
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(env_overrides(os.environ))
    else:
        app.config.update(env_overrides(os.environ))
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # templates/ and static/ live at the top level, beside the package.
    app.template_folder = app.config["TEMPLATES_DIR"]
    app.static_folder = app.config["STATIC_DIR"]

    from . import database, errors, library, views
    from .extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    database.init_app(app)
    library.init_app(app)
    errors.init_app(app)
    views.init_app(app)

    from . import cli

    cli.init_app(app)
    return app
