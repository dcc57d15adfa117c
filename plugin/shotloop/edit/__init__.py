"""OpenTimelineIO in and out: the cut's context for each shot, the takes back to editorial.

One job per module (import the one you need; nothing here loads at package import):

- ``read``       read a cut (.otio/.otioz/.otiod/.edl/.xml/.fcpxml) into a normalised ``Cut``
- ``edl``        what the CMX reader cannot know (rate, FCM) or gets wrong (dissolves)
- ``clipinfo``   what one clip says: name, id, reel, media, plate frames, size, notes
- ``shots``      clips → ``Shot`` + ``EditContext`` (ranges, handles, neighbours, markers)
- ``snippet``    the shot's clip with its neighbours as OTIO JSON
- ``match``      cut shots ↔ plates sent by a host or the CLI, with a report
- ``request``    duration / ratio / prompt / continuity / context; ``JobRequest``s for a cut
- ``review``     the review timeline (takes as media references) and the takes layout
- ``export``     writers: .otio, .otioz (``bundle``), .edl and .xml (``carriers``)
- ``roundtrip``  what editorial changed in a review timeline, as ``ReviewChange``s
- ``commands``   the ``shotloop edit`` CLI group
- ``urls``       the one place paths ↔ URLs; ``timebase`` frames and timecode
"""
