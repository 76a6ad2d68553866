"""Admin pages: the audit log and setting a user's password or role."""
