#include "components/converters/html_table.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/js.h"

namespace flowkit::components::converters {
namespace {

// HTML's own caps on colspan and rowspan.
constexpr uint32_t kMaxColspan = 1000;
constexpr uint32_t kMaxRowspan = 65534;

bool IsCollapsibleSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// One line of a cell (the text between <br>s): white space runs become one space and the ends
// are trimmed, as SheetJS's htmldecode does; then a no-break space counts as a space, as
// SheetJS decodes &nbsp; to " " after collapsing.
void AppendNormalizedLine(std::string_view line, std::string* out) {
  size_t begin = 0;
  size_t end = line.size();
  while (begin < end && IsCollapsibleSpace(line[begin])) ++begin;
  while (end > begin && IsCollapsibleSpace(line[end - 1])) --end;
  bool in_space = false;
  for (size_t i = begin; i < end; ++i) {
    if (IsCollapsibleSpace(line[i])) {
      in_space = true;
      continue;
    }
    if (in_space) out->push_back(' ');
    in_space = false;
    if (line.substr(i, 2) == "\xC2\xA0") {
      out->push_back(' ');
      ++i;
    } else {
      out->push_back(line[i]);
    }
  }
}

std::string NormalizeCellText(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    AppendNormalizedLine(lines[i], &out);
  }
  return out;
}

// colspan="3" → 3. HTML reads the leading digits; anything else (or 0) means 1.
uint32_t ParseSpan(const char* value, uint32_t max) {
  if (value == nullptr) return 1;
  std::string_view text(value);
  while (!text.empty() && IsCollapsibleSpace(text.front())) text.remove_prefix(1);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range) return max;
  if (ec != std::errc() || n == 0) return 1;
  return static_cast<uint32_t>(std::min<uint64_t>(n, max));
}

struct RowspanMerge {
  uint32_t first_row;
  uint32_t last_row;
  uint32_t last_column;
};

// SAX state: libxml2 reports elements as it parses (closing the ones HTML closes implicitly),
// and this builds the sheet of the first table from them.
class TableReader {
 public:
  explicit TableReader(htmlParserCtxtPtr* ctxt) : ctxt_(ctxt) {}

  void StartElement(std::string_view name, const xmlChar** attributes) {
    if (done_) return;
    if (name == "table") {
      found_table_ = true;
      ++table_depth_;
      return;
    }
    if (table_depth_ == 0) return;
    if (in_cell_) {
      if (name == "br") {
        lines_.emplace_back();
      } else if (name == "script" || name == "style") {
        ++skip_depth_;
      }
      if (table_depth_ > 1 || (name != "tr" && name != "td" && name != "th")) return;
    }
    if (table_depth_ != 1) return;
    if (name == "tr") {
      FinishCell();
      StartRow();
    } else if (name == "td" || name == "th") {
      FinishCell();
      if (!row_open_) StartRow();  // a cell outside any <tr>: a browser opens a row for it
      StartCell(attributes);
    }
  }

  void EndElement(std::string_view name) {
    if (done_) return;
    if (name == "table") {
      if (table_depth_ == 1) {
        FinishCell();
        Stop();
      }
      if (table_depth_ > 0) --table_depth_;
      return;
    }
    if (in_cell_ && skip_depth_ > 0 && (name == "script" || name == "style")) --skip_depth_;
    if (table_depth_ != 1) return;
    if (name == "td" || name == "th") {
      FinishCell();
    } else if (name == "tr") {
      FinishCell();
      row_open_ = false;
    }
  }

  void Characters(std::string_view text) {
    if (done_ || !in_cell_ || skip_depth_ > 0) return;
    lines_.back().append(text);
  }

  void Fail(Status status) {
    if (error_.ok()) error_ = std::move(status);
    Stop();
  }

  // After the parse: the sheet, or why there is none.
  Result<Sheet> Take() {
    if (!error_.ok()) return error_;
    FinishCell();
    if (!found_table_) return Status::InvalidArgument("the document has no <table>");
    return std::move(sheet_);
  }

 private:
  void Stop() {
    done_ = true;
    if (*ctxt_ != nullptr) xmlStopParser(*ctxt_);
  }

  void StartRow() {
    ++row_;
    row_open_ = true;
    column_ = 0;
    if (row_ >= kMaxSheetRows) {
      Fail(Status::TooLarge("the table has more than " + std::to_string(kMaxSheetRows) + " rows"));
    }
  }

  void StartCell(const xmlChar** attributes) {
    if (done_) return;
    const char* colspan = nullptr;
    const char* rowspan = nullptr;
    const char* t = nullptr;
    const char* data_t = nullptr;
    data_v_.reset();
    for (size_t i = 0; attributes != nullptr && attributes[i] != nullptr; i += 2) {
      std::string_view key(reinterpret_cast<const char*>(attributes[i]));
      const char* value = reinterpret_cast<const char*>(attributes[i + 1]);
      if (key == "colspan") colspan = value;
      if (key == "rowspan") rowspan = value;
      if (key == "t") t = value;
      if (key == "data-t") data_t = value;
      if (key == "data-v" && value != nullptr) data_v_ = std::string(value);
    }
    // SheetJS: tag.t || tag["data-t"].
    type_hint_ = t != nullptr && *t != '\0' ? t : data_t != nullptr ? data_t : "";
    colspan_ = ParseSpan(colspan, kMaxColspan);
    rowspan_ = ParseSpan(rowspan, kMaxRowspan);
    // Skip the columns a cell above still covers (SheetJS looks for a merge starting exactly
    // at the current column, again after each jump).
    for (auto it = merges_.find(column_); it != merges_.end(); it = merges_.find(column_)) {
      if (!(it->second.first_row < row_ && row_ <= it->second.last_row)) break;
      column_ = it->second.last_column + 1;
    }
    in_cell_ = true;
    skip_depth_ = 0;
    lines_.assign(1, std::string());
  }

  void FinishCell() {
    if (!in_cell_) return;
    in_cell_ = false;
    const uint64_t last_column = uint64_t{column_} + colspan_ - 1;
    if (last_column >= kMaxSheetColumns) {
      Fail(Status::TooLarge("the table is wider than " + std::to_string(kMaxSheetColumns) +
                            " columns"));
      return;
    }
    if (rowspan_ > 1) {
      merges_[column_] =
          RowspanMerge{row_, row_ + rowspan_ - 1, static_cast<uint32_t>(last_column)};
    }
    if (rowspan_ > 1 || colspan_ > 1) {
      sheet_.AddMerge(SheetRange{row_, column_, std::min(row_ + rowspan_ - 1, kMaxSheetRows - 1),
                                 static_cast<uint32_t>(last_column)});
    }
    // SheetJS's own export keeps the raw value in data-v (its DOM reader prefers it).
    std::string text = data_v_.has_value() ? *data_v_ : NormalizeCellText(lines_);
    if (!text.empty()) sheet_.Set(row_, column_, CellValueFromText(text, type_hint_));
    column_ = static_cast<uint32_t>(last_column + 1);
  }

  htmlParserCtxtPtr* ctxt_;
  Sheet sheet_;
  Status error_;
  int table_depth_ = 0;  // 0 before the first table, 1 inside it, more inside nested tables
  bool found_table_ = false;
  bool done_ = false;
  bool row_open_ = false;
  uint32_t row_ = UINT32_MAX;  // the first StartRow makes it 0
  uint32_t column_ = 0;
  std::unordered_map<uint32_t, RowspanMerge> merges_;  // rowspan > 1, by first column
  bool in_cell_ = false;
  int skip_depth_ = 0;  // inside <script>/<style> in a cell
  uint32_t colspan_ = 1;
  uint32_t rowspan_ = 1;
  std::string type_hint_;
  std::optional<std::string> data_v_;
  std::vector<std::string> lines_;  // the open cell's text, split at <br>
};

// No exception may unwind through libxml2's C frames.
template <typename F>
void Guarded(void* user_data, F&& f) {
  auto* reader = static_cast<TableReader*>(user_data);
  try {
    f(*reader);
  } catch (const std::exception& e) {
    reader->Fail(Status::ResourceExhausted(std::string("reading the HTML table: ") + e.what()));
  }
}

std::string_view Name(const xmlChar* name) { return reinterpret_cast<const char*>(name); }

void OnStartElement(void* user_data, const xmlChar* name, const xmlChar** attributes) {
  Guarded(user_data, [&](TableReader& r) { r.StartElement(Name(name), attributes); });
}
void OnEndElement(void* user_data, const xmlChar* name) {
  Guarded(user_data, [&](TableReader& r) { r.EndElement(Name(name)); });
}
void OnCharacters(void* user_data, const xmlChar* text, int length) {
  Guarded(user_data, [&](TableReader& r) {
    r.Characters(
        std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(length)));
  });
}

// The charset a <meta> near the top declares, lower-cased; empty when there is none.
std::string DeclaredCharset(std::string_view html) {
  std::string head(html.substr(0, 1024));
  std::transform(head.begin(), head.end(), head.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  size_t at = head.find("charset");
  if (at == std::string::npos) return {};
  at = head.find_first_not_of(" \t\r\n=\"'", at + 7);
  if (at == std::string::npos) return {};
  const size_t end = head.find_first_of(" \t\r\n\"'/>;", at);
  return head.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

bool IsSpecialHtmlByte(char c) {
  return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' || c == '\n' || c == '\r' ||
         (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
}

}  // namespace

void InitLibxml2() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

Result<Sheet> ReadHtmlTable(std::string_view html) {
  InitLibxml2();

  // libxml2 takes bytes without a declared charset as UTF-8 when told so, but falls back to
  // Latin-1 for the whole document at the first invalid byte: replace those bytes first.
  std::string sanitized;
  const std::string charset = DeclaredCharset(html);
  if (charset.empty() || charset == "utf-8" || charset == "utf8") {
    js::AppendSanitizedUtf8(html, &sanitized);
    html = sanitized;
  }

  htmlParserCtxtPtr ctxt = nullptr;
  TableReader reader(&ctxt);
  htmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.startElement = OnStartElement;
  sax.endElement = OnEndElement;
  sax.characters = OnCharacters;
  sax.ignorableWhitespace = OnCharacters;
  ctxt = htmlCreatePushParserCtxt(&sax, &reader, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8);
  if (ctxt == nullptr) return Status::ResourceExhausted("could not create an HTML parser");
  htmlCtxtUseOptions(
      ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < html.size() && !ctxt->disableSAX; at += kChunk) {
    const size_t n = std::min(kChunk, html.size() - at);
    htmlParseChunk(ctxt, html.data() + at, static_cast<int>(n), 0);
  }
  if (!ctxt->disableSAX) htmlParseChunk(ctxt, nullptr, 0, 1);
  htmlFreeParserCtxt(ctxt);
  ctxt = nullptr;
  return reader.Take();
}

void AppendHtmlText(std::string_view text, std::string* out) {
  size_t plain = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!IsSpecialHtmlByte(c)) continue;
    js::AppendSanitizedUtf8(text.substr(plain, i - plain), out);
    plain = i + 1;
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') plain = ++i + 1;
        out->append("<br/>");
        break;
      case '\n':
        out->append("<br/>");
        break;
      default:
        out->append("\xEF\xBF\xBD");
        break;  // U+FFFD for a control character
    }
  }
  js::AppendSanitizedUtf8(text.substr(plain), out);
}

// SheetJS's export head (its sheet_to_html writes the same), which Appmixer's "table"
// transformer copies; kept byte for byte so flowkit's files match Appmixer's.
constexpr std::string_view kHtmlHead =
    "<html><head><meta charset=\"utf-8\"/><title>SheetJS Table "
    "Export</title></head><body><table>\n";

HtmlTableWriter::HtmlTableWriter() : out_(kHtmlHead) {}

void HtmlTableWriter::AddHeader(std::span<const std::string> names) {
  out_.append("<tr>");
  for (const std::string& name : names) AddCell("th", Json(name));
  out_.append("</tr>\n");
}

void HtmlTableWriter::AddRow(std::span<const Json> values) {
  out_.append("<tr>");
  for (const Json& value : values) AddCell("td", value);
  out_.append("</tr>\n");
}

void HtmlTableWriter::AddCell(std::string_view tag, const Json& value) {
  std::string text;
  std::string_view type;
  if (value.IsBool()) {
    text = value.AsBool() ? "true" : "false";
    type = "b";
  } else if (value.IsNumber()) {
    text = js::NumberToString(value.AsDouble());
  } else if (value.IsString()) {
    text = value.AsString();
  } else if (value.IsObject() || value.IsArray()) {
    text = value.Dump();
  }
  if (type.empty() && !value.IsNumber() && !text.empty()) {
    // What the reader will see: the text split at its line breaks (written as <br/>).
    std::vector<std::string> lines(1);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
      if (text[i] == '\r' || text[i] == '\n') {
        lines.emplace_back();
      } else {
        lines.back().push_back(text[i]);
      }
    }
    if (TextReadsAsNonString(NormalizeCellText(lines))) type = "s";
  }
  out_.push_back('<');
  out_.append(tag);
  if (!type.empty()) {
    out_.append(" data-t=\"");
    out_.append(type);
    out_.push_back('"');
  }
  out_.push_back('>');
  AppendHtmlText(text, &out_);
  out_.append("</");
  out_.append(tag);
  out_.append(">");
}

namespace {

void AppendAttribute(std::string_view name, std::string_view value, std::string* out) {
  out->push_back(' ');
  out->append(name);
  out->append("=\"");
  size_t plain = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string_view escaped;
    switch (value[i]) {
      case '&':
        escaped = "&amp;";
        break;
      case '<':
        escaped = "&lt;";
        break;
      case '>':
        escaped = "&gt;";
        break;
      case '"':
        escaped = "&quot;";
        break;
      case '\n':
        escaped = "&#10;";
        break;
      case '\r':
        escaped = "&#13;";
        break;
      default:
        continue;
    }
    js::AppendSanitizedUtf8(value.substr(plain, i - plain), out);
    out->append(escaped);
    plain = i + 1;
  }
  js::AppendSanitizedUtf8(value.substr(plain), out);
  out->push_back('"');
}

}  // namespace

Result<std::string> SheetToHtml(const Sheet& sheet, size_t max_bytes) {
  std::string out(kHtmlHead);
  if (!sheet.empty()) {
    const SheetRange box = sheet.box();
    // Merges by first row; the ones reaching the current row are active.
    std::vector<const SheetRange*> pending;
    for (const SheetRange& m : sheet.merges()) pending.push_back(&m);
    std::sort(pending.begin(), pending.end(),
              [](const SheetRange* a, const SheetRange* b) { return a->first_row > b->first_row; });
    std::vector<const SheetRange*> active;
    std::vector<std::pair<uint32_t, uint32_t>> hidden;  // this row's covered columns
    for (uint32_t r = box.first_row; r <= box.last_row; ++r) {
      while (!pending.empty() && pending.back()->first_row <= r) {
        active.push_back(pending.back());
        pending.pop_back();
      }
      std::erase_if(active, [r](const SheetRange* m) { return m->last_row < r; });
      hidden.clear();
      std::map<uint32_t, const SheetRange*> starts;  // merges whose first cell is in this row
      for (const SheetRange* m : active) {
        if (m->first_row == r) {
          starts.emplace(m->first_column, m);
          if (m->last_column > m->first_column)
            hidden.emplace_back(m->first_column + 1, m->last_column);
        } else {
          hidden.emplace_back(m->first_column, m->last_column);
        }
      }
      std::sort(hidden.begin(), hidden.end());
      auto hide = hidden.begin();
      out.append("<tr>");
      const std::vector<SheetCell>* cells = sheet.Row(r);
      auto next = cells != nullptr ? cells->begin() : std::vector<SheetCell>::const_iterator();
      for (uint32_t c = box.first_column; c <= box.last_column; ++c) {
        while (cells != nullptr && next != cells->end() && next->column < c) ++next;
        const SheetCell* cell =
            cells != nullptr && next != cells->end() && next->column == c ? &*next : nullptr;
        while (hide != hidden.end() && hide->second < c) ++hide;
        if (hide != hidden.end() && hide->first <= c) continue;
        out.append("<td");
        if (auto m = starts.find(c); m != starts.end()) {
          const SheetRange& range = *m->second;
          if (range.last_row > r)
            AppendAttribute("rowspan", std::to_string(range.last_row - r + 1), &out);
          if (range.last_column > c)
            AppendAttribute("colspan", std::to_string(range.last_column - c + 1), &out);
        }
        if (cell != nullptr) {
          const Json& v = cell->value;
          AppendAttribute("data-t",
                          cell->error    ? "e"
                          : v.IsString() ? "s"
                          : v.IsBool()   ? "b"
                                         : "n",
                          &out);
          if (!cell->error) AppendAttribute("data-v", v.IsString() ? v.AsString() : v.Dump(), &out);
          if (cell->format != 0) AppendAttribute("data-z", sheet.format(cell->format), &out);
        }
        AppendAttribute("id", "sjs-" + CellAddress(r, c), &out);
        out.push_back('>');
        if (cell != nullptr) AppendHtmlText(DisplayText(sheet, *cell), &out);
        out.append("</td>");
      }
      out.append("</tr>\n");
      if (out.size() > max_bytes) {
        return Status::TooLarge("the HTML text would pass " + std::to_string(max_bytes) + " bytes");
      }
    }
  }
  out.append("</table></body></html>\n");
  return out;
}

std::string HtmlTableWriter::Finish() && {
  out_.append("</table></body></html>\n");
  return std::move(out_);
}

}  // namespace flowkit::components::converters
