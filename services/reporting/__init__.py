"""What people and other systems read: finding work and the Home dashboard, what a card shows, KPIs and
reports, digests and morning DMs, and the public records and exports."""
