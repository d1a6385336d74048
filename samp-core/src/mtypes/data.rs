//! Tables, spectra, bibliography and registry resources (SAMP.md §8.1, §8.3, §8.4).

use crate::Map;

vocabulary! {
    /// Load a table given as a VOTable document at a URL.
    TableLoadVotable = "table.load.votable" -> () {
        required {
            /// URL of the VOTable document.
            url: String = "url",
        }
        optional {
            /// Identifier for referring to this table in later messages.
            table_id: String = "table-id",
            /// Label for the table in the receiver's interface.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a table given as a FITS binary table at a URL.
    TableLoadFits = "table.load.fits" -> () {
        required {
            /// URL of the FITS file.
            url: String = "url",
        }
        optional {
            /// Identifier for referring to this table in later messages.
            table_id: String = "table-id",
            /// Label for the table in the receiver's interface.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a table given in NASA's CDF format at a URL.
    TableLoadCdf = "table.load.cdf" -> () {
        required {
            /// URL of the CDF file.
            url: String = "url",
        }
        optional {
            /// Identifier for referring to this table in later messages.
            table_id: String = "table-id",
            /// Label for the table in the receiver's interface.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Highlight one row of a table loaded earlier, identified by `table-id` or `url` (or
    /// both, which must then agree); "highlight" is up to the receiver.
    TableHighlightRow = "table.highlight.row" -> () {
        required {
            /// Zero-based index of the row, in the table's order as it was sent.
            row: u64 = "row",
        }
        optional {
            /// The id given in the earlier `table.load.*`.
            table_id: String = "table-id",
            /// The URL of the table.
            url: String = "url",
        }
    }
}

vocabulary! {
    /// Select a set of rows of a table loaded earlier (an empty list selects nothing),
    /// identified by `table-id` or `url`.
    TableSelectRowList = "table.select.rowList" -> () {
        required {
            /// Zero-based indexes of the selected rows.
            row_list: Vec<u64> = "row-list",
        }
        optional {
            /// The id given in the earlier `table.load.*`.
            table_id: String = "table-id",
            /// The URL of the table.
            url: String = "url",
        }
    }
}

vocabulary! {
    /// Load a spectrum or SED, typically found through a Simple Spectral Access query.
    SpectrumLoadSsaGeneric = "spectrum.load.ssa-generic" -> () {
        required {
            /// URL of the spectrum.
            url: String = "url",
            /// What is known about the data at `url`, keyed by SSA data-model utypes or UCDs
            /// (e.g. `Access.Format`, `Target.Name`); may be empty.
            meta: Map = "meta",
        }
        optional {
            /// Identifier for referring to this spectrum in later messages.
            spectrum_id: String = "spectrum-id",
            /// Label for the spectrum in the receiver's interface.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Display or look up a publication by its bibcode.
    BibcodeLoad = "bibcode.load" -> () {
        required {
            /// The ADS bibcode (19 characters).
            bibcode: String = "bibcode",
        }
        optional {}
    }
}

vocabulary! {
    /// Load a list of VO registry resources.
    VoresourceLoadlist = "voresource.loadlist" -> () {
        required {
            /// The resources: IVOA identifiers (`ivo://…`) as keys; the values carry no
            /// agreed meaning (TOPCAT sends `""`).
            ids: Map = "ids",
        }
        optional {
            /// A short description of the list.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a list of Cone Search services.
    VoresourceLoadlistCone = "voresource.loadlist.cone" -> () {
        required {
            /// The services' IVOA identifiers, as keys.
            ids: Map = "ids",
        }
        optional {
            /// A short description of the list.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a list of Simple Image Access services.
    VoresourceLoadlistSiap = "voresource.loadlist.siap" -> () {
        required {
            /// The services' IVOA identifiers, as keys.
            ids: Map = "ids",
        }
        optional {
            /// A short description of the list.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a list of Simple Spectral Access services.
    VoresourceLoadlistSsap = "voresource.loadlist.ssap" -> () {
        required {
            /// The services' IVOA identifiers, as keys.
            ids: Map = "ids",
        }
        optional {
            /// A short description of the list.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a list of TAP services.
    VoresourceLoadlistTap = "voresource.loadlist.tap" -> () {
        required {
            /// The services' IVOA identifiers, as keys.
            ids: Map = "ids",
        }
        optional {
            /// A short description of the list.
            name: String = "name",
        }
    }
}
