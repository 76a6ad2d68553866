"""Flask extensions, created unbound here and bound to an app in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import DeclarativeBase, registry

# Ids and versions are 64-bit everywhere, as SQLite's INTEGER is: URLs may name any id up to
# 2**63 - 1 (converters.py), and PostgreSQL's plain integer stops at 2**31 - 1. On SQLite the
# type stays INTEGER, which AUTOINCREMENT requires.
INT64 = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base for the typed SQLAlchemy 2 models."""

    registry = registry(type_annotation_map={int: INT64})


db = SQLAlchemy(model_class=Base)
babel = Babel()
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
# Per client address by default (ProxyFix supplies the real one behind PROXIES proxies);
# the storage is chosen in `create_app` (memory, or Redis when REDIS_URL is set).
limiter = Limiter(key_func=get_remote_address)
mail = Mail()
