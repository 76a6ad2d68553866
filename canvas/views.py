"""Registers one blueprint per area of the product."""

from flask import Flask


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

    app.add_template_filter(pct)
    app.add_template_filter(pp)
    app.add_template_filter(num)


def pct(fraction: float | None) -> str:
    """0.125 -> '12.5 %'; None -> '–'."""
    if fraction is None:
        return "–"
    return f"{fraction * 100:.1f}".removesuffix(".0") + " %"


def pp(fraction: float | None) -> str:
    """A gap in percentage points, signed: 0.02 -> '+2.0 pp'."""
    if fraction is None:
        return "–"
    return f"{fraction * 100:+.1f} pp"


def num(value: float | None) -> str:
    """Thousands separated by thin spaces, rounded to whole units; None -> '–'."""
    if value is None:
        return "–"
    return f"{value:,.0f}".replace(",", "\u202f")
