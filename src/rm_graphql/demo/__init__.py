"""The demo: a whole reverse-mentoring program on a fake BambooHR, start to finish."""
