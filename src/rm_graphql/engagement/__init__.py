"""After pairing: sessions, goals for both sides, feedback, concerns and self-assessments."""
