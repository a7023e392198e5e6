#!/usr/bin/env python3
"""Independent reading of iCalendar text for SlotCalendarTests, with the icalendar and recurring-ical-events
packages (installed by .ci/run).

  ical-oracle.py readback FILE            each VEVENT: uid, start/end (Unix seconds), TZID, sequence, status,
                                          summary, description
  ical-oracle.py expand FILE START END    every instance overlapping [START, END) (Unix seconds): uid, start, end

Prints one JSON document on stdout.
"""
import datetime
import json
import sys

import icalendar
import recurring_ical_events


def seconds(value):
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    raise ValueError(f"not a date-time: {value!r}")


def readback(path):
    with open(path, "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    events = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        zone = start.tzinfo
        events.append({
            "uid": str(event["UID"]),
            "start": seconds(start),
            "end": seconds(end),
            "tzid": event["DTSTART"].params.get("TZID", ""),
            "zoneKey": getattr(zone, "key", None) or str(zone),
            "sequence": int(event.get("SEQUENCE", -1)),
            "status": str(event.get("STATUS", "")),
            "summary": str(event.get("SUMMARY", "")),
            "description": str(event.get("DESCRIPTION", "")),
        })
    print(json.dumps({"events": events, "timezones": [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]}))


def expand(path, start, end):
    with open(path, "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    utc = datetime.timezone.utc
    window_start = datetime.datetime.fromtimestamp(start, utc)
    window_end = datetime.datetime.fromtimestamp(end, utc)
    instances = []
    for event in recurring_ical_events.of(calendar).between(window_start, window_end):
        instances.append([str(event["UID"]), seconds(event["DTSTART"].dt), seconds(event["DTEND"].dt)])
    print(json.dumps(sorted(instances, key=lambda item: (item[1], item[2], item[0]))))


if __name__ == "__main__":
    if sys.argv[1] == "readback":
        readback(sys.argv[2])
    elif sys.argv[1] == "expand":
        expand(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")
