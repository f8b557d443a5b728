"""The finance workspace: the invoice list and its actions, ageing, revenue, exports and reminders."""
