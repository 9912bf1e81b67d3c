import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.PrefixDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.OWLEntityRemover;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Loads an ontology the way Protégé does (OWL API, catalog-v001.xml beside the file),
 * fully offline, and reports what Protégé users would hit.
 *
 * <pre>
 *   java OwlApiCheck check FILE            JSON summary on stdout
 *   java OwlApiCheck save FILE OUT FORMAT  save as the OWL API would (rdfxml|turtle)
 *   java OwlApiCheck save-all FILE DIR FORMAT [DELETE_IRI...]
 *                                          save FILE and every module it imports into
 *                                          DIR, each under its own file name, as
 *                                          Protégé's "Save all" does; first delete the
 *                                          entities named, as Protégé's "Delete" does;
 *                                          JSON summary (files, axiom counts) on stdout
 * </pre>
 *
 * Loader warnings (illegal punning and the like) are logged through slf4j-simple on
 * stderr; the Python side treats any WARN or ERROR line there as a failure.
 */
public final class OwlApiCheck {

    /** Maps catalog entries to local files and every other IRI to a file that does not
     *  exist, so an unknown import fails fast (and is counted) instead of going online. */
    static final class OfflineIRIMapper implements OWLOntologyIRIMapper {
        private final List<SimpleIRIMapper> catalog;

        OfflineIRIMapper(List<SimpleIRIMapper> catalog) {
            this.catalog = catalog;
        }

        @Override
        public IRI getDocumentIRI(IRI ontologyIRI) {
            for (SimpleIRIMapper mapper : catalog) {
                IRI document = mapper.getDocumentIRI(ontologyIRI);
                if (document != null) {
                    return document;
                }
            }
            return IRI.create(new File("/nonexistent/sgkg-offline/unresolved.owl"));
        }
    }

    private OwlApiCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("check")) {
            check(new File(args[1]));
        } else if (args.length == 4 && args[0].equals("save")) {
            save(new File(args[1]), new File(args[2]), args[3]);
        } else if (args.length >= 4 && args[0].equals("save-all")) {
            List<String> deletions = new ArrayList<>();
            for (int i = 4; i < args.length; i++) {
                deletions.add(args[i]);
            }
            saveAll(new File(args[1]), new File(args[2]), args[3], deletions);
        } else {
            System.err.println("usage: OwlApiCheck check FILE | save FILE OUT rdfxml|turtle"
                    + " | save-all FILE DIR rdfxml|turtle [DELETE_IRI...]");
            System.exit(2);
        }
    }

    static final class Loaded {
        final OWLOntologyManager manager;
        final OWLOntology ontology;
        final List<String> unresolved;

        Loaded(OWLOntologyManager manager, OWLOntology ontology, List<String> unresolved) {
            this.manager = manager;
            this.ontology = ontology;
            this.unresolved = unresolved;
        }
    }

    static Loaded load(File file) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(new OfflineIRIMapper(readCatalog(file)));
        List<String> unresolved = new ArrayList<>();
        manager.addMissingImportListener(
                event -> unresolved.add(event.getImportedOntologyURI().toString()));
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(file), config);
        return new Loaded(manager, ontology, unresolved);
    }

    /** The {@code <uri name="..." uri="..."/>} entries of catalog-v001.xml beside FILE. */
    static List<SimpleIRIMapper> readCatalog(File file) throws Exception {
        List<SimpleIRIMapper> mappers = new ArrayList<>();
        File folder = file.getAbsoluteFile().getParentFile();
        File catalog = new File(folder, "catalog-v001.xml");
        if (!catalog.isFile()) {
            return mappers;
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        DocumentBuilder builder = factory.newDocumentBuilder();
        Document document = builder.parse(catalog);
        NodeList entries = document.getElementsByTagNameNS("*", "uri");
        for (int i = 0; i < entries.getLength(); i++) {
            Element entry = (Element) entries.item(i);
            String name = entry.getAttribute("name");
            String target = entry.getAttribute("uri");
            if (name.isEmpty() || target.isEmpty()) {
                continue;
            }
            File local = new File(folder, target);
            mappers.add(new SimpleIRIMapper(IRI.create(name), IRI.create(local.getCanonicalFile())));
        }
        return mappers;
    }

    static void check(File file) throws Exception {
        Loaded loaded = load(file);
        OWLProfileReport report = new OWL2DLProfile().checkOntology(loaded.ontology);
        TreeSet<String> violations = new TreeSet<>();
        for (OWLProfileViolation violation : report.getViolations()) {
            violations.add(violation.toString());
        }
        TreeSet<String> iris = new TreeSet<>();
        loaded.ontology.importsClosure().forEach(o -> iris.add(
                o.getOntologyID().getOntologyIRI().map(IRI::toString).orElse("(anonymous)")));
        Map<String, Object> summary = new TreeMap<>();
        summary.put("file", file.getPath());
        summary.put("axiom_count", loaded.ontology.getAxiomCount(Imports.INCLUDED));
        summary.put("logical_axiom_count", loaded.ontology.getLogicalAxiomCount(Imports.INCLUDED));
        summary.put("ontologies", new ArrayList<>(iris));
        summary.put("unresolved_imports", new TreeSet<>(loaded.unresolved));
        summary.put("profile", "OWL 2 DL");
        summary.put("violations", new ArrayList<>(violations));
        System.out.println(toJson(summary));
    }

    static void save(File file, File out, String format) throws Exception {
        Loaded loaded = load(file);
        saveAs(loaded.manager, loaded.ontology, out, format);
    }

    /** Saves the ontology and its imports closure, module by module, into {@code folder}.
     *  Each module keeps the file name it was loaded from; the format is the one given,
     *  whatever the name says (Protégé keeps a file's name when its format changes). */
    static void saveAll(File file, File folder, String format, List<String> deletions)
            throws Exception {
        Loaded loaded = load(file);
        if (!deletions.isEmpty()) {
            delete(loaded, deletions);
        }
        folder.mkdirs();
        Map<String, OWLOntology> modules = new TreeMap<>();
        loaded.ontology.importsClosure().forEach(module -> modules.put(
                new File(loaded.manager.getOntologyDocumentIRI(module).toURI()).getName(),
                module));
        for (Map.Entry<String, OWLOntology> module : modules.entrySet()) {
            saveAs(loaded.manager, module.getValue(), new File(folder, module.getKey()), format);
        }
        Map<String, Object> summary = new TreeMap<>();
        summary.put("files", new ArrayList<>(modules.keySet()));
        summary.put("axiom_count", loaded.ontology.getAxiomCount(Imports.INCLUDED));
        summary.put("logical_axiom_count", loaded.ontology.getLogicalAxiomCount(Imports.INCLUDED));
        System.out.println(toJson(summary));
    }

    /** Deletes entities the way Protégé's "Delete" does: every axiom that mentions them,
     *  in every loaded module. An IRI no module mentions is an error (a typo in a test). */
    static void delete(Loaded loaded, List<String> iris) {
        OWLEntityRemover remover = new OWLEntityRemover(loaded.manager.ontologies());
        for (String iri : iris) {
            List<OWLEntity> entities = new ArrayList<>();
            loaded.ontology.importsClosure().forEach(o -> o.entitiesInSignature(IRI.create(iri))
                    .forEach(entities::add));
            if (entities.isEmpty()) {
                throw new IllegalArgumentException("no entity " + iri + " to delete");
            }
            entities.forEach(entity -> entity.accept(remover));
        }
        loaded.manager.applyChanges(remover.getChanges());
    }

    static void saveAs(OWLOntologyManager manager, OWLOntology ontology, File out, String format)
            throws Exception {
        OWLDocumentFormat original = manager.getOntologyFormat(ontology);
        PrefixDocumentFormat target;
        if (format.equals("rdfxml")) {
            target = new RDFXMLDocumentFormat();
        } else if (format.equals("turtle")) {
            target = new TurtleDocumentFormat();
        } else {
            System.err.println("unknown format " + format + " (expected rdfxml or turtle)");
            System.exit(2);
            return;
        }
        if (original != null && original.isPrefixOWLDocumentFormat()) {
            target.copyPrefixesFrom(original.asPrefixOWLDocumentFormat());
        }
        manager.saveOntology(ontology, target, IRI.create(out.getAbsoluteFile()));
    }

    static String toJson(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map) {
            StringBuilder out = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                out.append(first ? "" : ", ").append(quote(entry.getKey().toString()))
                        .append(": ").append(toJson(entry.getValue()));
                first = false;
            }
            return out.append("}").toString();
        }
        if (value instanceof Iterable) {
            StringBuilder out = new StringBuilder("[");
            boolean first = true;
            for (Object item : (Iterable<?>) value) {
                out.append(first ? "" : ", ").append(toJson(item));
                first = false;
            }
            return out.append("]").toString();
        }
        return quote(value.toString());
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append("\"").toString();
    }
}
