"""Double random, one open (双随机、一公开): rosters and pools as of a day, seeded draws that
anyone can verify with the standalone :mod:`xinyong.inspection.draw`, and their results."""
