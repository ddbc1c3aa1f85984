"""Meetings as the pages count them: meeting.scheduled -> meetings."""
