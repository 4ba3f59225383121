"""The /settings page sections: account, preferences, profile."""
