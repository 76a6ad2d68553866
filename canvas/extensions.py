"""Flask extensions, created unbound here and bound to an app in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base for the typed SQLAlchemy 2 models."""


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
