"""Vocabularies as declared terms, in the manner of rdflib's namespace modules, but as
plain IRI strings so that hot paths need not import rdflib.

Using an undeclared term is an error, so a typo cannot mint a new IRI:

>>> SDO.about
'https://schema.org/about'
>>> SDO.abuot
Traceback (most recent call last):
...
AttributeError: 'abuot' is not a declared term of https://schema.org/
"""

from __future__ import annotations

DEFAULT_BASE = "https://w3id.org/lecture-kg/"
CONCEPT_NS = DEFAULT_BASE + "concept/"  # IRIs of the curated vocabulary


class Namespace:
    """An IRI prefix with a closed list of terms."""

    def __init__(self, iri: str, terms: str):
        self._iri = iri
        self._terms = frozenset(terms.split())

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._terms:
            raise AttributeError(f"{name!r} is not a declared term of {self._iri}")
        return self._iri + name

    def __getitem__(self, name: str) -> str:
        return self.__getattr__(name)

    def __str__(self) -> str:
        return self._iri

    def __contains__(self, iri: str) -> bool:
        return iri.startswith(self._iri) and iri[len(self._iri):] in self._terms


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type first rest nil value Statement subject predicate object langString")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", "label comment seeAlso subClassOf subPropertyOf domain range Class")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#", "string integer decimal double date dateTime boolean anyURI")
OWL = Namespace("http://www.w3.org/2002/07/owl#", "Ontology Class ObjectProperty DatatypeProperty versionInfo")
SKOS = Namespace(
    "http://www.w3.org/2004/02/skos/core#",
    "Concept ConceptScheme inScheme hasTopConcept topConceptOf prefLabel altLabel hiddenLabel "
    "broader narrower related exactMatch closeMatch definition notation",
)
SDO = Namespace(
    "https://schema.org/",
    "VideoObject LearningResource Course CreativeWorkSeries Dataset name url identifier position "
    "uploadDate thumbnailUrl inLanguage isPartOf hasPart abstract about mentions teaches "
    "competencyRequired workTranslation translationOfWork courseCode description",
)
DCT = Namespace("http://purl.org/dc/terms/", "title description source created modified license creator hasVersion")
VOID = Namespace(
    "http://rdfs.org/ns/void#",
    "Dataset triples entities distinctSubjects dataDump vocabulary sparqlEndpoint uriSpace classPartition class",
)
DCAT = Namespace("http://www.w3.org/ns/dcat#", "Dataset Distribution distribution downloadURL mediaType")
PROV = Namespace(
    "http://www.w3.org/ns/prov#",
    "Entity Activity SoftwareAgent wasDerivedFrom wasGeneratedBy used wasAssociatedWith generatedAtTime atLocation value",
)
WD = Namespace("http://www.wikidata.org/entity/", "")
KG = Namespace(
    "https://w3id.org/lecture-kg/ontology#",
    "requires prerequisite Mention lecture concept weight section snippet surface kind "
    "nextPart previousPart partNumber courseOrder sourceLine origin confidence evidence "
    "WeightedLink Prerequisite provenance partCount series lectureNumber",
)
