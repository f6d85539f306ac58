"""Writes for case work, one module per area (steps, referrals, followups, supervision, reports, reads);
every write checks the policy, validates, and saves with history in a transaction."""
