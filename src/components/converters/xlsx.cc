#include "components/converters/xlsx.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "components/converters/html_table.h"
#include "components/converters/number_format.h"
#include "util/js.h"

namespace flowkit::components::converters {
namespace {

// --- the archive

struct ZipDiscard {
  void operator()(zip_t* zip) const { zip_discard(zip); }
};

class ZipReader {
 public:
  static Result<ZipReader> Open(std::string_view bytes, size_t budget) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    zip_t* zip = source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY, &error);
    if (zip == nullptr) {
      std::string why = zip_error_strerror(&error);
      if (bytes.starts_with("\xD0\xCF\x11\xE0"))
        why = "an OLE container: a legacy .xls or a password-protected workbook";
      if (source != nullptr) zip_source_free(source);
      zip_error_fini(&error);
      return Status::InvalidArgument("not a zip archive (" + why + ")");
    }
    zip_error_fini(&error);
    return ZipReader(zip, budget);
  }

  // The entry `name` unpacked; nullopt when there is none.
  Result<std::optional<std::string>> Read(const std::string& name) {
    zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), 0);
    if (index < 0) index = zip_name_locate(zip_.get(), name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return std::optional<std::string>();
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0 ||
        (stat.valid & ZIP_STAT_SIZE) == 0) {
      return Status::InvalidArgument("the archive entry " + name + " cannot be read");
    }
    if (stat.size > budget_) return TooBig(name);
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
        zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0), zip_fclose);
    if (file == nullptr) {
      return Status::InvalidArgument("the archive entry " + name + " cannot be unpacked (" +
                                     zip_strerror(zip_.get()) + ")");
    }
    // Read at most one byte more than declared: the declared size may lie.
    std::string out;
    out.resize(static_cast<size_t>(stat.size));
    size_t filled = 0;
    char extra;
    for (;;) {
      char* at = filled < out.size() ? out.data() + filled : &extra;
      const size_t want = filled < out.size() ? out.size() - filled : 1;
      const zip_int64_t n = zip_fread(file.get(), at, want);
      if (n < 0) {
        return Status::InvalidArgument("the archive entry " + name + " cannot be unpacked (" +
                                       zip_file_strerror(file.get()) + ")");
      }
      if (n == 0) break;
      if (filled >= out.size())
        return Status::InvalidArgument("the archive entry " + name + " is longer than declared");
      filled += static_cast<size_t>(n);
    }
    out.resize(filled);
    budget_ -= out.size();
    return std::optional<std::string>(std::move(out));
  }

 private:
  ZipReader(zip_t* zip, size_t budget) : zip_(zip), budget_(budget), limit_(budget) {}

  Status TooBig(const std::string& name) const {
    return Status::TooLarge("unpacking " + name + " would pass the limit of " +
                            std::to_string(limit_) +
                            " unpacked bytes (a zip bomb, or a workbook too big to convert)");
  }

  std::unique_ptr<zip_t, ZipDiscard> zip_;
  size_t budget_;
  size_t limit_;
};

// --- XML parts

struct XmlReaderFree {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};

void IgnoreXmlError(void*, xmlErrorPtr) {}

// Pulls nodes from one part. Entities other than the predefined ones are never expanded.
class XmlPart {
 public:
  XmlPart(const std::string& name, const std::string& text) : name_(name) {
    reader_.reset(xmlReaderForMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (reader_ != nullptr)
      xmlTextReaderSetStructuredErrorHandler(reader_.get(), IgnoreXmlError, nullptr);
  }

  // Moves to the next node; false at the end. Check status() after the loop.
  bool Next() {
    if (reader_ == nullptr) {
      failed_ = true;
      return false;
    }
    const int ret = xmlTextReaderRead(reader_.get());
    if (ret < 0) failed_ = true;
    return ret == 1;
  }

  Status status() const {
    if (!failed_) return Status::OK();
    return Status::InvalidArgument(name_ + " is not well-formed XML");
  }

  bool IsStart() const { return xmlTextReaderNodeType(reader_.get()) == XML_READER_TYPE_ELEMENT; }
  bool IsEnd() const { return xmlTextReaderNodeType(reader_.get()) == XML_READER_TYPE_END_ELEMENT; }
  // An element with no end tag of its own (<c r="A1"/>).
  bool IsEmpty() const { return xmlTextReaderIsEmptyElement(reader_.get()) == 1; }
  bool IsText() const {
    const int type = xmlTextReaderNodeType(reader_.get());
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE;
  }
  std::string_view Name() const {
    const xmlChar* name = xmlTextReaderConstLocalName(reader_.get());
    return name == nullptr ? std::string_view() : reinterpret_cast<const char*>(name);
  }
  std::string_view Text() const {
    const xmlChar* value = xmlTextReaderConstValue(reader_.get());
    return value == nullptr ? std::string_view() : reinterpret_cast<const char*>(value);
  }
  // The attribute whose local name is `local` (any namespace); nullopt when absent.
  std::optional<std::string> Attribute(std::string_view local) {
    std::optional<std::string> found;
    if (xmlTextReaderMoveToFirstAttribute(reader_.get()) != 1) return found;
    do {
      if (Name() == local) {
        found = std::string(Text());
        break;
      }
    } while (xmlTextReaderMoveToNextAttribute(reader_.get()) == 1);
    xmlTextReaderMoveToElement(reader_.get());
    return found;
  }

 private:
  std::string name_;
  std::unique_ptr<xmlTextReader, XmlReaderFree> reader_;
  bool failed_ = false;
};

// "xl/workbook.xml" + "worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml"; "/xl/..." is
// from the root; ".." steps up.
std::string ResolvePart(const std::string& base_dir, const std::string& target) {
  std::string joined = !target.empty() && target[0] == '/' ? target.substr(1) : base_dir + target;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string segment = joined.substr(start, slash - start);
    if (segment == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!segment.empty() && segment != ".") {
      parts.push_back(std::move(segment));
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

std::string DirectoryOf(const std::string& part) {
  const size_t slash = part.rfind('/');
  return slash == std::string::npos ? std::string() : part.substr(0, slash + 1);
}

std::string RelsOf(const std::string& part) {
  const size_t slash = part.rfind('/');
  return DirectoryOf(part) + "_rels/" +
         (slash == std::string::npos ? part : part.substr(slash + 1)) + ".rels";
}

struct Relationship {
  std::string id;
  std::string type;
  std::string target;
};

Result<std::vector<Relationship>> ReadRels(ZipReader& zip, const std::string& rels_name) {
  std::vector<Relationship> out;
  FLOWKIT_ASSIGN_OR_RETURN(std::optional<std::string> text, zip.Read(rels_name));
  if (!text.has_value()) return out;
  XmlPart xml(rels_name, *text);
  while (xml.Next()) {
    if (xml.IsStart() && xml.Name() == "Relationship") {
      out.push_back(Relationship{xml.Attribute("Id").value_or(""),
                                 xml.Attribute("Type").value_or(""),
                                 xml.Attribute("Target").value_or("")});
    }
  }
  FLOWKIT_RETURN_IF_ERROR(xml.status());
  return out;
}

const Relationship* FindRel(const std::vector<Relationship>& rels, std::string_view type_suffix) {
  for (const Relationship& rel : rels) {
    if (std::string_view(rel.type).ends_with(type_suffix)) return &rel;
  }
  return nullptr;
}

// OOXML writes characters XML cannot hold as _xHHHH_ ("_x000D_" for CR).
std::string UnescapeOoxml(std::string text) {
  if (text.find("_x") == std::string::npos) return text;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned code = 0;
    if (text.compare(i, 2, "_x") == 0 && i + 7 <= text.size() && text[i + 6] == '_' &&
        std::from_chars(text.data() + i + 2, text.data() + i + 6, code, 16).ptr ==
            text.data() + i + 6) {
      js::AppendUtf8(static_cast<char32_t>(code), &out);
      i += 6;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The text of a <si> or <is>: its <t> elements, rich-text runs included, phonetic runs (<rPh>) not.
// REQUIRES: xml is on the start of that element, which is not empty.
std::string ReadStringItem(XmlPart& xml, std::string_view element) {
  std::string text;
  int phonetic = 0;
  bool in_t = false;
  while (xml.Next()) {
    if (xml.IsStart()) {
      if (xml.Name() == "rPh" && !xml.IsEmpty()) ++phonetic;
      if (xml.Name() == "t" && !xml.IsEmpty()) in_t = true;
    } else if (xml.IsEnd()) {
      if (xml.Name() == "rPh") --phonetic;
      if (xml.Name() == "t") in_t = false;
      if (xml.Name() == element) break;
    } else if (in_t && phonetic == 0 && xml.IsText()) {
      text.append(xml.Text());
    }
  }
  return UnescapeOoxml(std::move(text));
}

Result<std::vector<std::string>> ReadSharedStrings(const std::string& name,
                                                   const std::string& text) {
  std::vector<std::string> strings;
  XmlPart xml(name, text);
  while (xml.Next()) {
    if (xml.IsStart() && xml.Name() == "si")
      strings.push_back(xml.IsEmpty() ? std::string() : ReadStringItem(xml, "si"));
  }
  FLOWKIT_RETURN_IF_ERROR(xml.status());
  return strings;
}

// "B3" → row 2, column 1. False when `ref` is no cell reference ("$B$3" is one).
bool ParseCellRef(std::string_view ref, uint64_t* row, uint64_t* column) {
  size_t i = 0;
  if (i < ref.size() && ref[i] == '$') ++i;
  uint64_t col = 0;
  size_t letters = 0;
  for (; i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i])) && letters < 4;
       ++i, ++letters) {
    col = col * 26 +
          static_cast<uint64_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
  }
  if (i < ref.size() && ref[i] == '$') ++i;
  uint64_t r = 0;
  auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), r);
  if (letters == 0 || ec != std::errc() || end != ref.data() + ref.size() || r == 0) return false;
  *row = r - 1;
  *column = col - 1;
  return true;
}

// "A1:C10" (or "A1") as a range inside Excel's limits.
std::optional<SheetRange> ParseRangeRef(std::string_view ref) {
  const size_t colon = ref.find(':');
  uint64_t r1, c1, r2, c2;
  if (!ParseCellRef(ref.substr(0, colon), &r1, &c1)) return std::nullopt;
  if (colon == std::string_view::npos) {
    r2 = r1;
    c2 = c1;
  } else if (!ParseCellRef(ref.substr(colon + 1), &r2, &c2)) {
    return std::nullopt;
  }
  if (r1 > r2 || c1 > c2 || r2 >= kMaxSheetRows || c2 >= kMaxSheetColumns) return std::nullopt;
  return SheetRange{static_cast<uint32_t>(r1), static_cast<uint32_t>(c1), static_cast<uint32_t>(r2),
                    static_cast<uint32_t>(c2)};
}

std::string Trimmed(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return std::string(text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1));
}

// The number format code of each cell style (cellXfs, by index); "" for General.
Result<std::vector<std::string>> ReadStyles(const std::string& name, const std::string& text) {
  std::vector<std::pair<int, std::string>> custom;  // numFmts
  std::vector<int> style_formats;                   // cellXfs
  XmlPart xml(name, text);
  bool in_cell_xfs = false;
  while (xml.Next()) {
    if (xml.IsEnd() && xml.Name() == "cellXfs") in_cell_xfs = false;
    if (!xml.IsStart()) continue;
    if (xml.Name() == "numFmt") {
      custom.emplace_back(std::atoi(xml.Attribute("numFmtId").value_or("0").c_str()),
                          xml.Attribute("formatCode").value_or(""));
    } else if (xml.Name() == "cellXfs") {
      in_cell_xfs = !xml.IsEmpty();
    } else if (xml.Name() == "xf" && in_cell_xfs) {
      style_formats.push_back(std::atoi(xml.Attribute("numFmtId").value_or("0").c_str()));
    }
  }
  FLOWKIT_RETURN_IF_ERROR(xml.status());
  std::vector<std::string> codes;
  for (int id : style_formats) {
    std::string code(BuiltinNumberFormat(id));
    for (const auto& [custom_id, custom_code] : custom) {
      if (custom_id == id) code = custom_code;
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

Status ReadWorksheet(const std::string& name, const std::string& text,
                     const std::vector<std::string>& strings,
                     const std::vector<std::string>& style_codes, Sheet* sheet) {
  XmlPart xml(name, text);
  uint64_t row = 0;
  uint64_t next_row = 0;  // rows without r="" follow the previous one
  uint64_t next_column = 0;
  while (xml.Next()) {
    if (!xml.IsStart()) continue;
    const std::string_view element = xml.Name();
    if (element == "dimension") {
      if (auto box = ParseRangeRef(xml.Attribute("ref").value_or("")); box.has_value())
        sheet->SetBox(*box);
    } else if (element == "mergeCell") {
      if (auto range = ParseRangeRef(xml.Attribute("ref").value_or("")); range.has_value())
        sheet->AddMerge(*range);
    } else if (element == "row") {
      uint64_t r = 0;
      const std::string attr = xml.Attribute("r").value_or("");
      auto [end, ec] = std::from_chars(attr.data(), attr.data() + attr.size(), r);
      row = ec == std::errc() && end == attr.data() + attr.size() && r > 0 ? r - 1 : next_row;
      next_row = row + 1;
      next_column = 0;
    } else if (element == "c") {
      uint64_t r = row;
      uint64_t c = next_column;
      if (auto ref = xml.Attribute("r"); ref.has_value() && !ParseCellRef(*ref, &r, &c)) {
        return Status::InvalidArgument(name + ": \"" + *ref + "\" is no cell reference");
      }
      next_column = c + 1;
      const std::string type = xml.Attribute("t").value_or("n");
      uint16_t format = 0;
      if (auto style = xml.Attribute("s"); style.has_value()) {
        const size_t index = static_cast<size_t>(std::atoi(style->c_str()));
        if (index < style_codes.size() && !style_codes[index].empty()) {
          format = sheet->AddFormat(style_codes[index]);
        }
      }
      std::optional<std::string> value;        // <v>
      std::optional<std::string> inline_text;  // <is>
      if (!xml.IsEmpty()) {
        bool in_v = false;
        while (xml.Next()) {
          if (xml.IsStart() && xml.Name() == "v" && !xml.IsEmpty()) {
            in_v = true;
            value.emplace();
          } else if (xml.IsStart() && xml.Name() == "is" && !xml.IsEmpty()) {
            inline_text = ReadStringItem(xml, "is");
          } else if (xml.IsEnd() && xml.Name() == "v") {
            in_v = false;
          } else if (xml.IsEnd() && xml.Name() == "c") {
            break;
          } else if (in_v && xml.IsText()) {
            value->append(xml.Text());
          }
        }
      }
      Json cell;
      bool error = false;
      if (type == "inlineStr") {
        if (!inline_text.has_value()) continue;
        cell = Json(std::move(*inline_text));
      } else if (!value.has_value()) {
        continue;  // a styled empty cell, or a formula without a cached value
      } else if (type == "s") {
        size_t index = 0;
        const std::string v = Trimmed(*value);
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), index);
        if (ec != std::errc() || end != v.data() + v.size() || index >= strings.size()) {
          return Status::InvalidArgument(name + ": a cell names shared string \"" + v +
                                         "\", which does not exist");
        }
        cell = Json(strings[index]);
      } else if (type == "str" || type == "d") {
        cell = Json(UnescapeOoxml(std::move(*value)));
      } else if (type == "b") {
        cell = Json(Trimmed(*value) == "1");
      } else if (type == "e") {
        cell = Json(Trimmed(*value));
        error = true;
      } else {
        const std::string v = Trimmed(*value);
        double number = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
        if (ec != std::errc() || end != v.data() + v.size()) continue;
        cell = std::trunc(number) == number && std::fabs(number) < 9007199254740992.0
                   ? Json(static_cast<int64_t>(number))
                   : Json(number);
      }
      Status set = sheet->SetChecked(r, c, std::move(cell), error, format);
      if (!set.ok()) return Status(set.code(), name + ": " + set.message());
    }
  }
  return xml.status();
}

}  // namespace

Result<Sheet> ReadXlsx(std::string_view bytes, size_t max_unpacked_bytes) {
  InitLibxml2();
  FLOWKIT_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::Open(bytes, max_unpacked_bytes));

  FLOWKIT_ASSIGN_OR_RETURN(std::vector<Relationship> root_rels, ReadRels(zip, "_rels/.rels"));
  const Relationship* office = FindRel(root_rels, "/officeDocument");
  const std::string workbook_name =
      office != nullptr ? ResolvePart("", office->target) : "xl/workbook.xml";
  FLOWKIT_ASSIGN_OR_RETURN(std::optional<std::string> workbook, zip.Read(workbook_name));
  if (!workbook.has_value())
    return Status::InvalidArgument("it has no " + workbook_name + " (not an XLSX workbook)");

  std::optional<std::string> first_sheet_rel;
  bool date1904 = false;
  {
    XmlPart xml(workbook_name, *workbook);
    while (xml.Next()) {
      if (xml.IsStart() && xml.Name() == "workbookPr") {
        const std::string flag = xml.Attribute("date1904").value_or("0");
        date1904 = flag == "1" || flag == "true";
      }
      if (xml.IsStart() && xml.Name() == "sheet") {
        first_sheet_rel = xml.Attribute("id").value_or("");
        break;
      }
    }
    FLOWKIT_RETURN_IF_ERROR(xml.status());
  }
  if (!first_sheet_rel.has_value()) return Status::InvalidArgument("the workbook has no sheets");

  FLOWKIT_ASSIGN_OR_RETURN(std::vector<Relationship> rels, ReadRels(zip, RelsOf(workbook_name)));
  const std::string base = DirectoryOf(workbook_name);
  std::string sheet_name = base + "worksheets/sheet1.xml";
  for (const Relationship& rel : rels) {
    if (rel.id == *first_sheet_rel) sheet_name = ResolvePart(base, rel.target);
  }
  std::vector<std::string> strings;
  const Relationship* shared = FindRel(rels, "/sharedStrings");
  const std::string strings_name =
      shared != nullptr ? ResolvePart(base, shared->target) : base + "sharedStrings.xml";
  FLOWKIT_ASSIGN_OR_RETURN(std::optional<std::string> strings_xml, zip.Read(strings_name));
  if (strings_xml.has_value()) {
    FLOWKIT_ASSIGN_OR_RETURN(strings, ReadSharedStrings(strings_name, *strings_xml));
    strings_xml.reset();
  }
  std::vector<std::string> style_codes;
  const Relationship* styles = FindRel(rels, "/styles");
  const std::string styles_name =
      styles != nullptr ? ResolvePart(base, styles->target) : base + "styles.xml";
  FLOWKIT_ASSIGN_OR_RETURN(std::optional<std::string> styles_xml, zip.Read(styles_name));
  if (styles_xml.has_value()) {
    FLOWKIT_ASSIGN_OR_RETURN(style_codes, ReadStyles(styles_name, *styles_xml));
    styles_xml.reset();
  }
  FLOWKIT_ASSIGN_OR_RETURN(std::optional<std::string> sheet_xml, zip.Read(sheet_name));
  if (!sheet_xml.has_value())
    return Status::InvalidArgument("its first sheet, " + sheet_name + ", is missing");
  Sheet sheet;
  sheet.set_date1904(date1904);
  FLOWKIT_RETURN_IF_ERROR(ReadWorksheet(sheet_name, *sheet_xml, strings, style_codes, &sheet));
  return sheet;
}

namespace {

constexpr int kMaxCellCharacters = 32767;  // Excel's limit, which libxlsxwriter enforces

Status XlsxError(lxw_error error, uint32_t row, uint32_t column) {
  if (error == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
    return Status::InvalidArgument("cell " + CellAddress(row, column) + " holds more than " +
                                   std::to_string(kMaxCellCharacters) +
                                   " characters, more than an XLSX cell takes");
  }
  return Status::Internal("writing the XLSX cell " + CellAddress(row, column) + ": " +
                          lxw_strerror(error));
}

bool Overlaps(const SheetRange& a, const SheetRange& b) {
  return a.first_row <= b.last_row && b.first_row <= a.last_row &&
         a.first_column <= b.last_column && b.first_column <= a.last_column;
}

Status WriteCell(lxw_worksheet* worksheet, uint32_t row, uint32_t column, const Json& value) {
  lxw_error error = LXW_NO_ERROR;
  if (value.IsBool()) {
    error = worksheet_write_boolean(worksheet, row, static_cast<lxw_col_t>(column),
                                    value.AsBool() ? 1 : 0, nullptr);
  } else if (value.IsNumber()) {
    error = worksheet_write_number(worksheet, row, static_cast<lxw_col_t>(column), value.AsDouble(),
                                   nullptr);
  } else {
    // NUL ends a C string; invalid UTF-8 would make the XML unreadable.
    std::string text;
    js::AppendSanitizedUtf8(value.StringView(), &text);
    std::replace(text.begin(), text.end(), '\0', ' ');
    error = worksheet_write_string(worksheet, row, static_cast<lxw_col_t>(column), text.c_str(),
                                   nullptr);
  }
  return error == LXW_NO_ERROR ? Status::OK() : XlsxError(error, row, column);
}

}  // namespace

Result<std::string> WriteXlsx(const Sheet& sheet) {
  // libxlsxwriter 1.1 writes to a named file only.
  std::error_code ec;
  std::string path = (std::filesystem::temp_directory_path(ec) / "flowkit-xlsx-XXXXXX").string();
  if (ec) path = "/tmp/flowkit-xlsx-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) return Status::IOError("cannot create a temporary file for the workbook in " + path);
  close(fd);
  struct Unlink {
    const std::string& path;
    ~Unlink() { unlink(path.c_str()); }
  } unlink_at_exit{path};

  lxw_workbook_options options = {};
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return Status::ResourceExhausted("cannot create an XLSX workbook");
  Status status;
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, "Sheet1");
  if (worksheet == nullptr) status = Status::ResourceExhausted("cannot add a worksheet");
  std::vector<SheetRange> merges;
  for (const SheetRange& m : sheet.merges()) {
    if (!status.ok()) break;
    // Excel refuses overlapping merges; HTML can produce them. The first one wins.
    if (std::any_of(merges.begin(), merges.end(),
                    [&](const SheetRange& kept) { return Overlaps(kept, m); })) {
      continue;
    }
    if (merges.size() >= 4096) break;  // the value stays in the first cell either way
    const lxw_error error =
        worksheet_merge_range(worksheet, m.first_row, static_cast<lxw_col_t>(m.first_column),
                              m.last_row, static_cast<lxw_col_t>(m.last_column), "", nullptr);
    if (error != LXW_NO_ERROR) status = XlsxError(error, m.first_row, m.first_column);
    merges.push_back(m);
  }
  for (const auto& [row, cells] : sheet.rows()) {
    if (!status.ok()) break;
    for (const SheetCell& cell : cells) {
      status = WriteCell(worksheet, row, cell.column, cell.value);
      if (!status.ok()) break;
    }
  }
  const lxw_error closed = workbook_close(workbook);  // frees the workbook, writes the file
  FLOWKIT_RETURN_IF_ERROR(status);
  if (closed != LXW_NO_ERROR)
    return Status::IOError(std::string("writing the XLSX workbook: ") + lxw_strerror(closed));
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Status::IOError("reading back the XLSX workbook " + path);
  return bytes;
}

}  // namespace flowkit::components::converters
