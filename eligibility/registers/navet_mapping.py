"""Every name the Navet adapter and its simulator take from Skatteverket's ePersondata service
(Personpost, XML answer), in one place.

*Unverified*: Skatteverket publishes the technical description only to connected authorities.
The names below are those public code that talks to the service uses (Helsingborg's and Lund
University's clients, Inera's population:residentmaster contract that copies Navet's person post);
check each against the technical description received with the order identity and change it here.
Nothing else in the project spells a Navet element name.

The answer looks like this (element names without a namespace below `Folkbokforingsposter`):

    <S:Envelope><S:Body>
      <ns0:PersonpostXMLResponse>
        <ns0:Folkbokforingsposter>
          <Folkbokforingspost>
            <Sekretessmarkering>J|N</Sekretessmarkering>
            <SkyddadFolkbokforing>J|N</SkyddadFolkbokforing>
            <Personpost>
              <PersonId><PersonNr>…</PersonNr></PersonId>
              <Namn><Tilltalsnamnsmarkering>10</…><Fornamn/><Mellannamn/><Efternamn/></Namn>
              <Folkbokforing><Folkbokforingsdatum/><LanKod/><KommunKod/></Folkbokforing>
              <Adresser><Folkbokforingsadress>
                <CareOf/><Utdelningsadress1/><Utdelningsadress2/><PostNr/><Postort/>
              </Folkbokforingsadress></Adresser>
              <Civilstand><CivilstandKod/><Civilstandsdatum/></Civilstand>
              <Avregistrering><AvregistreringsorsakKod/><Avregistreringsdatum/></Avregistrering>
              <Relationer><Relation>
                <RelationId><PersonNr/></RelationId><Relationstyp/>
                <RelationFromdatum/><RelationTomdatum/><Avregistrering/>
              </Relation></Relationer>
            </Personpost>
          </Folkbokforingspost>
        </ns0:Folkbokforingsposter>
      </ns0:PersonpostXMLResponse>
    </S:Body></S:Envelope>

The adapter finds answer elements by local name (any namespace), so a namespace that differs from
the one below does not break reading; the request is written in `SERVICE_NAMESPACE`.
"""

from __future__ import annotations

# --- SOAP 1.1 -------------------------------------------------------------------------------
SOAP_ENVELOPE_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
SOAP_ACTION = '""'  # SOAP 1.1 header; an empty action is allowed (unverified what Navet expects)

# --- the request ----------------------------------------------------------------------------
SERVICE_NAMESPACE = "http://xmls.skatteverket.se/se/skatteverket/folkbokforing/na/epersondata/V1"
REQUEST = "PersonpostRequest"
ORDER = "Bestallning"
ORDER_ORGANISATION_NUMBER = "OrgNr"
# The public clients write "BestallningsId"; some descriptions say "BestallningsIdentitet".
ORDER_IDENTITY = "BestallningsId"
REQUEST_PERSON_ID = "PersonId"  # 12 digits, no hyphen

# --- the answer -----------------------------------------------------------------------------
RESPONSE = "PersonpostXMLResponse"
POSTS = "Folkbokforingsposter"
POST = "Folkbokforingspost"
SECRECY_MARK = "Sekretessmarkering"  # "J" or "N"
PROTECTED_REGISTRATION = "SkyddadFolkbokforing"  # "J" or "N"
YES = "J"
PERSON = "Personpost"
PERSON_ID = "PersonId"
PERSON_NUMBER = "PersonNr"
NAME = "Namn"
GIVEN_NAMES = "Fornamn"
MIDDLE_NAME = "Mellannamn"
SURNAME = "Efternamn"
# Two digits: which of the given names is the one used (first digit, 1-based) and, for a
# hyphenated name used, its second part (second digit, 0 when none): "10", "20", "12".
CALLING_NAME_MARK = "Tilltalsnamnsmarkering"
REGISTRATION = "Folkbokforing"
REGISTRATION_MUNICIPALITY = "KommunKod"  # four digits, e.g. 1287 Trelleborg
REGISTRATION_COUNTY = "LanKod"
ADDRESSES = "Adresser"
REGISTERED_ADDRESS = "Folkbokforingsadress"
CARE_OF = "CareOf"
ADDRESS_LINE_1 = "Utdelningsadress1"  # e.g. an apartment or a second line
ADDRESS_LINE_2 = "Utdelningsadress2"  # the street and number
POSTAL_CODE = "PostNr"  # five digits
POSTAL_TOWN = "Postort"
CIVIL_STATUS = "Civilstand"
CIVIL_STATUS_CODE = "CivilstandKod"
CIVIL_STATUS_DATE = "Civilstandsdatum"
DEREGISTRATION = "Avregistrering"
DEREGISTRATION_REASON = "AvregistreringsorsakKod"
DEREGISTRATION_DATE = "Avregistreringsdatum"
RELATIONS = "Relationer"
RELATION = "Relation"
RELATION_ID = "RelationId"
RELATION_TYPE = "Relationstyp"
RELATION_FROM = "RelationFromdatum"
RELATION_TO = "RelationTomdatum"

# Relationstyp codes (residentmaster's RelationstypTYPE: B, MO, FA, F, V, VF, M, P) and what the
# household calls them. VF (the person is a custodian of) is left out: a custodian who is not the
# parent is not in the household by that relation alone.
RELATION_CHILD = frozenset({"B"})
RELATION_PARTNER = frozenset({"M", "P"})  # make/maka, registrerad partner
RELATION_PARENT = frozenset({"MO", "FA", "F", "V"})  # mor, far, förälder, vårdnadshavare

# Civilstånd codes, kept as the code in `details["civil_status"]`.
CIVIL_STATUSES = {
    "OG": "ogift",
    "G": "gift",
    "Ä": "änka/änkling",
    "S": "skild",
    "RP": "registrerad partner",
    "SP": "skild partner",
    "EP": "efterlevande partner",
}

# Avregistreringsorsak codes -> `details["deregistration"]["reason"]`; any other: "other".
DEREGISTRATION_REASONS = {
    "AV": "deceased",  # avliden
    "UV": "emigrated",  # utvandrad
    "GN": "old_number",  # gammalt nummer (the person has another personnummer)
    "OB": "missing",  # obefintlig
    "TA": "technical",  # tekniskt avregistrerad
}

# Date format of the answer's dates (YYYYMMDD).
DATE_FORMAT = "%Y%m%d"

# --- faults ---------------------------------------------------------------------------------
# Skatteverket's own detail under SOAP Fault/detail (found by local name).
FAULT_CODE = "Felkod"
FAULT_DESCRIPTION = "Beskrivning"
# Which Felkod means "no such person" and which "the order is not valid" is unverified: these are
# placeholders the simulator uses too. Faultstrings containing a marker are read the same way.
FAULT_PERSON_NOT_FOUND = frozenset({"PERSON_SAKNAS"})
FAULT_PERSON_NOT_FOUND_MARKERS = ("finns inte", "saknas i folkbokf", "hittades inte")
FAULT_ORDER_REFUSED = frozenset({"BESTALLNING_OGILTIG"})
