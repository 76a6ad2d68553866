"""The signed-in user's own account: sessions, password, their data, deleting it."""
