"""The app's screens: home (deck list), practice (one question at a time), help, jump list."""
