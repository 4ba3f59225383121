"""The /tasks page components: the table, its dialogs, status and priority badges."""
