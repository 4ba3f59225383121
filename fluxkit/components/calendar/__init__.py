"""The /calendar page components: the month/week/day/agenda views and the event dialogs."""
