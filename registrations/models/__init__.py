"""Registration models, split by sub-domain. Import models from here."""

from .orders import Delegate, Order, RegistrationType  # noqa: F401
