#!/usr/bin/env python3
"""make_sample.py: writes pm25_sample.csv, a small file in the exact layout of the Beijing
PM2.5 data set (UCI; PRSA_data_2010.1.1-2014.12.31.csv): header
`No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir`, one row per hour from
2010-01-01 00:00, `NA` where pm2.5 is missing (the whole first day, as in the real file,
and a few later gaps), the categorical wind direction `cbwd` (NW, NE, SE, cv) with the
cumulated wind speed `Iws` restarting when it changes, cumulated hours of snow `Is` and
rain `Ir`, CRLF line ends and no line end after the last row. The values are made up
(smooth cycles and a deterministic generator). Standard library only.

    python3 make_sample.py > pm25_sample.csv
"""
import math
import sys

ROWS = 240                          # ten days of hourly rows
MISSING = set(range(24)) | {100, 101, 102, 150}  # rows whose pm2.5 is NA
SNOW = range(30, 34)                # rows with snow: Is counts 1, 2, 3, 4
WINDS = ['NW', 'NW', 'cv', 'SE', 'SE', 'NE', 'NW', 'cv']
STEPS = [0.89, 1.79, 3.13, 4.02, 4.92]


class Noise:
    """A linear congruential generator: integers in [0, 2**31), reproducible."""

    def __init__(self, seed):
        self.state = seed

    def __call__(self, n):
        self.state = (self.state * 1103515245 + 12345) % 2**31
        return self.state % n


def main():
    noise = Noise(2010)
    rows = ['No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir']
    wind, iws, snow = 'NW', 0.0, 0
    for i in range(ROWS):
        day, hour = 1 + i // 24, i % 24
        cycle = math.sin(2 * math.pi * (hour - 9) / 24)
        pm = 'NA' if i in MISSING else str(int(120 + 80 * math.sin(2 * math.pi * i / 70) + noise(30)))
        dewp = int(-17 + 4 * math.sin(2 * math.pi * i / 90) + noise(3))
        temp = int(-6 + 5 * cycle + noise(2))
        pres = int(1022 + 5 * math.cos(2 * math.pi * i / 120) + noise(2))
        if i % 5 == 0:
            new = WINDS[(i // 5 + noise(3)) % len(WINDS)]
            iws = 0.0 if new != wind else iws
            wind = new
        iws += 0.89 if wind == 'cv' else STEPS[noise(len(STEPS))]
        snow = snow + 1 if i in SNOW else 0
        rows.append('%d,2010,1,%d,%d,%s,%d,%d,%d,%s,%s,%d,0' %
                    (i + 1, day, hour, pm, dewp, temp, pres, wind, ('%.2f' % iws).rstrip('0').rstrip('.'), snow))
    sys.stdout.buffer.write('\r\n'.join(rows).encode())


if __name__ == '__main__':
    main()
