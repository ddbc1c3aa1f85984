"""Word lists the redaction rules lean on (kept apart so the rules stay readable)."""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (word lists read best as prose)."""
    return frozenset(text.split())


#: Street-type words that end a street name (USPS suffix abbreviations most used in notes).
STREET_SUFFIXES = word_set(
    """
    st street ave av avenue rd road blvd boulevard dr drive ln lane ct court way pl place
    ter terr terrace cir circle pkwy parkway hwy highway sq square row aly alley cres crescent
    trl trail plz plaza expy expressway ctr
    """
)

#: Words that cannot be part of a street name between a number and its suffix: "2 cars on Main
#: St" is a count, not an address, because "on" stands between them.
STREET_STOPWORDS = word_set(
    """
    a an the and or but of on in at to by for from with near off into onto over under
    between behind across along around past through toward towards is are was were be been
    has have had do does did not no than then that this these those which who when where while
    up down out about again also just very too so if as per via block blocks
    """
)

#: Lowercase nouns that make "<number> <noun> ... <suffix>" a count ("a 10 minute drive",
#: "a 4 lane road", "2 way street"), not an address.
COUNT_NOUNS = word_set(
    """
    minute minutes min mins hour hours hr hrs second seconds day days week weeks month months
    year years yr yrs time times mile miles mi block blocks foot feet ft yard yards inch inches
    car cars truck trucks vehicle vehicles bus buses bike bikes way lane lanes story stories
    person people kid kids child children man men woman women guy guys teen teens officer
    officers cop cops dog dogs cat cats house houses home homes unit units apartment apartments
    shot shots round rounds call calls complaint complaints resident residents neighbor
    neighbors lot lots tree trees light lights sign signs pothole potholes bag bags more other
    different separate new old big small large major busy long short main-street
    """
)

#: Common US given names (US Social Security name lists, frequent over 1940-2010, plus common
#: Spanish, Vietnamese, Somali and Hmong names from the cities whose notes we hold). Used only
#: where a context alone is weak ("I'm Jane", "contact Mary at"); months, virtues and verbs
#: that are also names (April, Hope, Will, Mark) are left out on purpose.
GIVEN_NAMES = word_set(
    """
    james john robert michael william david richard joseph thomas charles christopher daniel
    matthew anthony donald steven paul andrew joshua kenneth kevin brian george edward ronald
    timothy jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott
    brandon benjamin samuel gregory alexander patrick jack dennis jerry tyler aaron jose adam
    henry nathan douglas zachary peter kyle walter ethan jeremy harold keith christian roger
    noah gerald carl terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce
    albert gabriel logan alan juan wayne roy ralph randy eugene vincent russell elijah louis
    bobby philip johnny bob bill jim tom mike dave steve dan joe tony chris matt nick jeff greg
    ken ron tim andy sam ben pete rick ricky rob bobby jimmy danny tommy kenny eddie freddie
    luis carlos jorge miguel pedro manuel jesus alejandro ricardo fernando javier diego mario
    antonio francisco rafael sergio andres eduardo hector raul marco omar ahmed mohamed mohammed
    muhammad abdi abdullahi hassan hussein ali ibrahim yusuf mustafa tyrone darnell jamal
    deshawn malik andre marcus terrell dwayne curtis leon reggie reginald cedric jerome
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty
    margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah
    stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma
    nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather
    diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith
    megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn
    janice jean abigail alice judy sophia denise amber doris marilyn danielle beverly isabella
    theresa diana natalie brittany charlotte marie kayla alexis lori jane janie jenny jen jess
    kathy kate katie liz beth sue susie patty peggy debbie cindy barb becky jackie tina tanya
    wendy sheila ellen carmen rosa ana lucia guadalupe juana yolanda veronica alicia sofia
    camila valentina gabriela adriana claudia leticia silvia fatima amina hodan halima ayan
    fadumo sahra nguyen linh thanh huong mai lan hoa tuan minh duc xiong vang yang pa nou
    keisha latoya tamika shanice ebony tiana aaliyah imani jasmine destiny shaniqua lakisha
    monique dominique latasha tasha kiara jada nia
    zoe zoë jose josé maría andrés ramón raúl héctor jesús
    """
)

#: Capitalised words that follow a name context but are not names: adjectives and participles
#: ("I'm Concerned", "I am Tired"), residents' self-descriptions ("Concerned Citizen") and
#: common words that capitalised or all-caps text puts where a name would be.
NOT_NAMES = word_set(
    """
    a an the and or but nor of on in at to by for from with without near into onto over under
    i me my mine we us our you your he him his she her it its they them their this that these
    those who whom whose which what when where why how here there not no yes so very really
    just also still even only too again now then today tonight tomorrow yesterday please
    is am are was were be been being have has had do does did will would shall should can could
    may might must said says say saw seen see told tell asked ask came come went go going gone
    got get gets let lets made make called call named
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december
    tired concerned worried afraid scared angry frustrated disappointed happy glad sure sorry
    sick upset outraged appalled disgusted ashamed embarrassed terrified horrified shocked
    confused curious grateful thankful proud aware unsure certain opposed supportive against
    favor writing calling asking hoping begging wondering trying reaching reporting requesting
    living working looking thinking speaking submitting commenting responding following
    fine okay ok good great well new old young black white brown asian hispanic latino latina
    latinx native indigenous african american american christian catholic jewish muslim
    democrat republican independent liberal conservative progressive disabled retired single
    married pregnant homeless unemployed employed alone available able unable done ready
    resident residents citizen citizens neighbor neighbors neighbour neighbours homeowner
    homeowners renter renters tenant tenants parent parents mother father mom dad voter voters
    taxpayer taxpayers member members owner owners community everyone anyone someone nobody
    all one two three four five six seven eight nine ten several many some most both each
    officer officers police cop cops sir madam maam ma'am friend friends family team staff
    anonymous unknown none redacted name thanks thank sincerely regards respectfully cheers
    sent iphone android hi hello dear hey
    city county state public works department council committee board office park street
    north south east west northeast northwest southeast southwest downtown uptown
    chief mayor commissioner councilmember councilman councilwoman alderman president governor
    senator representative rep judge sheriff captain commander superintendent inspector
    black white red blue green yellow orange purple grey gray silver gold tan beige maroon
    first last middle full message subject date address phone email location description
    """
)

#: Lowercase words a name may hold ("María de la Cruz", "Lucia del Valle", "Ali bin Omar").
NAME_PARTICLES = word_set("de del la las los y e da das do dos di van von der den bin ibn al el le du")

#: Words after a name that make it a place: "Jane Addams Park", "Martin Luther King Blvd".
PLACE_WORDS = word_set(
    """
    park school elementary middle high academy college university library center centre
    hospital clinic church temple mosque synagogue bridge station hall field fields playground
    memorial plaza square garden gardens pool rec recreation tower towers apartments homes
    building market mall bar cafe restaurant store foundation institute day
    """
)
