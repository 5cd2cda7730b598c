"""Programs and enrolment: who takes part, in which role, wanting to teach and learn what."""
