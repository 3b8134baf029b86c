// Reads iCalendar feeds the way Thunderbird and the web calendars built on Mozilla's ical.js do,
// and prints what they would show: for each feed (file paths given as arguments), every event's
// UID with its start and end in UTC, its STATUS and SEQUENCE, as one JSON document on stdout.
"use strict";
const fs = require("fs");
const ICAL = require("ical.js");

function utc(time) {
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

const feeds = process.argv.slice(2).map((path) => {
  const calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(path, "utf8")));
  ICAL.TimezoneService.reset();
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  return calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      start: utc(event.startDate),
      end: utc(event.endDate),
      tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
      status: vevent.getFirstPropertyValue("status"),
      sequence: event.sequence,
    };
  });
});
process.stdout.write(JSON.stringify(feeds));
