"""Volunteer hours, corrections, service-record extracts and the national-system export.

Hours are the `service_minutes` of volunteer attendance (actual time on site, travel excluded) once the
organizer of the activity confirmed them; after that only an accepted correction changes them. The
organizing unit (an organization, or the community when the activity has none) issues record extracts of
its own activities only (谁组织谁记录，谁记录谁证明); they are the organizer's record, not the national
system's certificate.
"""
