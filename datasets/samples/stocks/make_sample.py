#!/usr/bin/env python3
"""make_sample.py: writes msft_sample.csv, a small file in the exact layout of the daily
stock files of the "Huge Stock Market Dataset" (msft.us.txt): header
`Date,Open,High,Low,Close,Volume,OpenInt`, one row per trading day (weekends skipped),
prices with up to three decimals, integer volume, OpenInt always 0, CRLF line ends. The
prices are a made-up deterministic random walk. Standard library only.

    python3 make_sample.py > msft_sample.csv
"""
import sys
from datetime import date, timedelta

ROWS = 100


class Noise:
    """A linear congruential generator: uniform values in [-1, 1), reproducible."""

    def __init__(self, seed):
        self.state = seed

    def __call__(self):
        self.state = (self.state * 1103515245 + 12345) % 2**31
        return self.state / 2**30 - 1


def price(x):
    return ('%.3f' % x).rstrip('0').rstrip('.')


def main():
    noise = Noise(1986)
    rows = ['Date,Open,High,Low,Close,Volume,OpenInt']
    day, close = date(2017, 3, 1), 64.0
    while len(rows) <= ROWS:
        if day.weekday() < 5:
            open_ = close + 0.3 * noise()
            close = open_ + 0.05 + 0.7 * noise()
            high = max(open_, close) + 0.3 * abs(noise())
            low = min(open_, close) - 0.3 * abs(noise())
            volume = int(24e6 + 8e6 * noise())
            rows.append('%s,%s,%s,%s,%s,%d,0' % (day.isoformat(), price(open_), price(high), price(low),
                                                 price(close), volume))
        day += timedelta(days=1)
    sys.stdout.buffer.write(('\r\n'.join(rows) + '\r\n').encode())


if __name__ == '__main__':
    main()
