"""A labelled set of example pairs for near-duplicate detection, in English and German:
paraphrases of one question and answer (True), and pairs on the same topic that teach
different facts (False). Each side is an example's question and answer, as the inspector
embeds them."""

from __future__ import annotations

Pair = tuple[str, str, bool]

EN: list[Pair] = [
    (
        "When did the Forth Bridge open?\nThe Forth Bridge opened on 4 March 1890.",
        "When was the Forth Bridge opened?\nThe Forth Bridge was opened on 4 March 1890.",
        True,
    ),
    (
        "Who designed the Forth Bridge?\nIt was designed by John Fowler and Benjamin Baker.",
        "Who were the designers of the Forth Bridge?\nJohn Fowler and Benjamin Baker designed it.",
        True,
    ),
    (
        "How long is the Forth Bridge?\nThe bridge spans 2,467 metres.",
        "What is the length of the Forth Bridge?\nThe bridge is 2,467 metres long.",
        True,
    ),
    (
        "How many workers built the bridge?\nAbout 4,600 workers built the bridge.",
        "How many people worked on building the bridge?\nAround 4,600 workers built the bridge.",
        True,
    ),
    (
        "What colour is the Forth Bridge painted?\nIt is painted Forth Bridge Red.",
        "Which colour is the Forth Bridge painted in?\nIt is painted in Forth Bridge Red.",
        True,
    ),
    (
        "What does the GIL do in CPython?\nThe global interpreter lock lets only one thread "
        "execute Python bytecode at a time.",
        "What is the role of the GIL in CPython?\nThe global interpreter lock allows only one "
        "thread to run Python bytecode at once.",
        True,
    ),
    (
        "What is a Redis stream?\nA Redis stream is an append-only log of entries, each with "
        "a unique id.",
        "What is a stream in Redis?\nIn Redis, a stream is an append-only log whose entries "
        "each have a unique id.",
        True,
    ),
    (
        "Why do consumer groups matter?\nConsumer groups let several workers share the "
        "entries of one stream.",
        "Why are consumer groups useful?\nConsumer groups let many workers share the entries "
        "of a single stream.",
        True,
    ),
    (
        "What is photosynthesis?\nPhotosynthesis is the process by which plants turn light, "
        "water and carbon dioxide into sugar and oxygen.",
        "What is meant by photosynthesis?\nPhotosynthesis is how plants convert light, water "
        "and carbon dioxide into sugar and oxygen.",
        True,
    ),
    (
        "When did the Berlin Wall fall?\nThe Berlin Wall fell on 9 November 1989.",
        "On what date did the Berlin Wall fall?\nThe Berlin Wall fell on 9 November 1989.",
        True,
    ),
    (
        "What is the boiling point of water at sea level?\nWater boils at 100 degrees Celsius "
        "at sea level.",
        "At what temperature does water boil at sea level?\nAt sea level water boils at 100 "
        "degrees Celsius.",
        True,
    ),
    (
        "What does HTTP status 404 mean?\nIt means the server could not find the requested "
        "resource.",
        "What does a 404 HTTP status mean?\nIt means that the server could not find the "
        "resource that was requested.",
        True,
    ),
    (
        "How does a cantilever bridge carry its load?\nEach cantilever is anchored at one end "
        "and carries its load to the pier.",
        "How is the load carried in a cantilever bridge?\nEvery cantilever is anchored at one "
        "end and carries the load to its pier.",
        True,
    ),
    (
        "What is the capital of Australia?\nThe capital of Australia is Canberra.",
        "Which city is Australia's capital?\nAustralia's capital city is Canberra.",
        True,
    ),
    (
        "What is MinHash used for?\nMinHash estimates how similar two sets are, which helps "
        "find near-duplicate documents.",
        "What is the purpose of MinHash?\nMinHash estimates the similarity of two sets, which "
        "helps to find near-duplicate documents.",
        True,
    ),
    (
        "When did the Forth Bridge open?\nThe Forth Bridge opened on 4 March 1890.",
        "Who designed the Forth Bridge?\nIt was designed by John Fowler and Benjamin Baker.",
        False,
    ),
    (
        "How long is the Forth Bridge?\nThe bridge spans 2,467 metres.",
        "How many workers died building the bridge?\n57 of the workers died.",
        False,
    ),
    (
        "What colour is the Forth Bridge painted?\nIt is painted Forth Bridge Red.",
        "When did the bridge become a World Heritage Site?\nIt became a World Heritage Site "
        "in 2015.",
        False,
    ),
    (
        "What does the GIL do in CPython?\nThe global interpreter lock lets only one thread "
        "execute Python bytecode at a time.",
        "How does asyncio schedule coroutines?\nAn event loop runs coroutines and switches "
        "between them when they await.",
        False,
    ),
    (
        "What is a Redis stream?\nA Redis stream is an append-only log of entries, each with "
        "a unique id.",
        "What does XAUTOCLAIM do?\nXAUTOCLAIM transfers pending entries that have been idle "
        "too long to another consumer.",
        False,
    ),
    (
        "Why do consumer groups matter?\nConsumer groups let several workers share the "
        "entries of one stream.",
        "What happens to an entry that is never acknowledged?\nIt stays in the pending list "
        "until it is acknowledged or claimed.",
        False,
    ),
    (
        "What is photosynthesis?\nPhotosynthesis is the process by which plants turn light, "
        "water and carbon dioxide into sugar and oxygen.",
        "What is cellular respiration?\nCellular respiration is the process by which cells "
        "break down sugar to release energy.",
        False,
    ),
    (
        "When did the Berlin Wall fall?\nThe Berlin Wall fell on 9 November 1989.",
        "When was the Berlin Wall built?\nConstruction of the Berlin Wall began on 13 August 1961.",
        False,
    ),
    (
        "What is the boiling point of water at sea level?\nWater boils at 100 degrees Celsius "
        "at sea level.",
        "What is the freezing point of water?\nWater freezes at 0 degrees Celsius.",
        False,
    ),
    (
        "What does HTTP status 404 mean?\nIt means the server could not find the requested "
        "resource.",
        "What does HTTP status 500 mean?\nIt means the server met an unexpected condition "
        "and could not answer the request.",
        False,
    ),
    (
        "What is the capital of Australia?\nThe capital of Australia is Canberra.",
        "What is the largest city in Australia?\nSydney is the largest city in Australia.",
        False,
    ),
    (
        "What is MinHash used for?\nMinHash estimates how similar two sets are, which helps "
        "find near-duplicate documents.",
        "What does a Bloom filter do?\nA Bloom filter tells whether an item may be in a set, "
        "with false positives but no false negatives.",
        False,
    ),
    (
        "How does a cantilever bridge carry its load?\nEach cantilever is anchored at one end "
        "and carries its load to the pier.",
        "How does a suspension bridge carry its load?\nIts deck hangs from cables that run "
        "over towers to anchorages.",
        False,
    ),
    (
        "Who designed the Forth Bridge?\nIt was designed by John Fowler and Benjamin Baker.",
        "Who built the Tay Bridge?\nThe first Tay Bridge was designed by Thomas Bouch.",
        False,
    ),
    (
        "What is the capital of Australia?\nThe capital of Australia is Canberra.",
        "What is the capital of Austria?\nThe capital of Austria is Vienna.",
        False,
    ),
]

DE: list[Pair] = [
    (
        "Wann begann der Bau des Kölner Doms?\nDer Bau des Kölner Doms begann im Jahr 1248.",
        "In welchem Jahr begann man mit dem Bau des Kölner Doms?\nMit dem Bau des Kölner "
        "Doms wurde 1248 begonnen.",
        True,
    ),
    (
        "Wie hoch sind die Türme des Doms?\nDie beiden Türme sind 157 Meter hoch.",
        "Welche Höhe haben die Türme des Doms?\nDie zwei Türme sind 157 Meter hoch.",
        True,
    ),
    (
        "Seit wann ist der Dom Weltkulturerbe?\nDer Dom ist seit 1996 Weltkulturerbe.",
        "Seit welchem Jahr gehört der Dom zum Weltkulturerbe?\nSeit 1996 ist der Dom "
        "Weltkulturerbe.",
        True,
    ),
    (
        "Wie viele Menschen besuchen den Dom jedes Jahr?\nEtwa sechs Millionen Menschen "
        "besuchen den Dom jährlich.",
        "Wie viele Besucher hat der Dom pro Jahr?\nJedes Jahr besuchen ungefähr sechs "
        "Millionen Menschen den Dom.",
        True,
    ),
    (
        "Wann wurde der Dom vollendet?\nDer Dom wurde erst 1880 vollendet.",
        "Wann war der Bau des Doms abgeschlossen?\nDer Dom wurde erst im Jahr 1880 vollendet.",
        True,
    ),
    (
        "Was ist Photosynthese?\nBei der Photosynthese wandeln Pflanzen Licht, Wasser und "
        "Kohlendioxid in Zucker und Sauerstoff um.",
        "Was versteht man unter Photosynthese?\nPflanzen wandeln bei der Photosynthese "
        "Licht, Wasser und Kohlendioxid in Zucker und Sauerstoff um.",
        True,
    ),
    (
        "Wann fiel die Berliner Mauer?\nDie Berliner Mauer fiel am 9. November 1989.",
        "An welchem Tag fiel die Berliner Mauer?\nDie Berliner Mauer fiel am 9. November 1989.",
        True,
    ),
    (
        "Was ist die Hauptstadt von Australien?\nDie Hauptstadt von Australien ist Canberra.",
        "Welche Stadt ist die Hauptstadt Australiens?\nAustraliens Hauptstadt ist Canberra.",
        True,
    ),
    (
        "Was macht ein Redis-Stream?\nEin Redis-Stream ist ein Protokoll, an das Einträge "
        "mit eindeutiger ID angehängt werden.",
        "Was ist ein Stream in Redis?\nIn Redis ist ein Stream ein Protokoll, an das "
        "Einträge mit eindeutiger ID angehängt werden.",
        True,
    ),
    (
        "Bei welcher Temperatur kocht Wasser?\nAuf Meereshöhe kocht Wasser bei 100 Grad Celsius.",
        "Wann siedet Wasser auf Meereshöhe?\nWasser siedet auf Meereshöhe bei 100 Grad Celsius.",
        True,
    ),
    (
        "Wann begann der Bau des Kölner Doms?\nDer Bau des Kölner Doms begann im Jahr 1248.",
        "Wie hoch sind die Türme des Doms?\nDie beiden Türme sind 157 Meter hoch.",
        False,
    ),
    (
        "Seit wann ist der Dom Weltkulturerbe?\nDer Dom ist seit 1996 Weltkulturerbe.",
        "Wie viele Menschen besuchen den Dom jedes Jahr?\nEtwa sechs Millionen Menschen "
        "besuchen den Dom jährlich.",
        False,
    ),
    (
        "Wann wurde der Dom vollendet?\nDer Dom wurde erst 1880 vollendet.",
        "Welcher Konfession gehört der Dom an?\nDer Kölner Dom ist eine römisch-katholische "
        "Kirche.",
        False,
    ),
    (
        "Was ist Photosynthese?\nBei der Photosynthese wandeln Pflanzen Licht, Wasser und "
        "Kohlendioxid in Zucker und Sauerstoff um.",
        "Was ist Zellatmung?\nBei der Zellatmung bauen Zellen Zucker ab, um Energie zu gewinnen.",
        False,
    ),
    (
        "Wann fiel die Berliner Mauer?\nDie Berliner Mauer fiel am 9. November 1989.",
        "Wann wurde die Berliner Mauer gebaut?\nDer Bau der Berliner Mauer begann am "
        "13. August 1961.",
        False,
    ),
    (
        "Was ist die Hauptstadt von Australien?\nDie Hauptstadt von Australien ist Canberra.",
        "Was ist die Hauptstadt von Österreich?\nDie Hauptstadt von Österreich ist Wien.",
        False,
    ),
    (
        "Was macht ein Redis-Stream?\nEin Redis-Stream ist ein Protokoll, an das Einträge "
        "mit eindeutiger ID angehängt werden.",
        "Was macht XAUTOCLAIM?\nXAUTOCLAIM übergibt lange wartende Einträge an einen "
        "anderen Verbraucher.",
        False,
    ),
    (
        "Bei welcher Temperatur kocht Wasser?\nAuf Meereshöhe kocht Wasser bei 100 Grad Celsius.",
        "Bei welcher Temperatur gefriert Wasser?\nWasser gefriert bei 0 Grad Celsius.",
        False,
    ),
    (
        "Wer entwarf die Forth Bridge?\nSie wurde von John Fowler und Benjamin Baker entworfen.",
        "Wie lang ist die Forth Bridge?\nDie Brücke ist 2467 Meter lang.",
        False,
    ),
    (
        "Wie hoch sind die Türme des Doms?\nDie beiden Türme sind 157 Meter hoch.",
        "Wie hoch ist der Fernsehturm in Berlin?\nDer Berliner Fernsehturm ist 368 Meter hoch.",
        False,
    ),
]
