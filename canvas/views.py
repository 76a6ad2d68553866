"""Registers one blueprint per area of the product."""

from flask import Flask

from . import numbers


def init_app(app: Flask) -> None:
    from .auth import bp as auth_bp
    from .canvases import board  # noqa: F401  (adds the board routes to canvases.bp)
    from .canvases.views import bp as canvases_bp
    from .learn import bp as learn_bp
    from .worksheets.views import bp as worksheets_bp

    for bp in (auth_bp, canvases_bp, learn_bp, worksheets_bp):
        app.register_blueprint(bp)

    from . import exports

    exports.init_app(app)

    @app.context_processor
    def inject_languages() -> dict:
        return {"language_names": {"en": "English", "da": "Dansk", "nb": "Norsk bokmål"},
                "zip": zip}

    add_number_filters(app.jinja_env.filters)


def add_number_filters(filters: dict) -> None:
    """The number filters every template uses (the web pages and the PDFs):
    `|num`, `|pct(language)`, `|pp(language)`, `|dec(places, language)`."""
    filters.update(num=numbers.whole, pct=numbers.percent, pp=numbers.points,
                   dec=numbers.decimal)
