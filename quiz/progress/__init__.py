"""The learner's progress, without any UI: store, scheduling, sessions, stats, mock interviews."""
