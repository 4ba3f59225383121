"""Domain logic: every rule and query. No `import reflex` here."""
