#include "components/csv/csv.h"

#include "components/builtin_registry.h"

namespace flowkit::components {

Status RegisterCsvComponents(ComponentRegistry& registry) {
  // Every type touches only files; rewrites and appends hold the file's lock, and reads see one
  // whole version of the file, so calls may overlap.
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  const BuiltinComponent table[] = {
      {"appmixer.utils.csv.CreateCSV", csv::NewCreateCsv, kConcurrent},
      {"appmixer.utils.csv.AddRow", csv::NewAddRow, kConcurrent},
      {"appmixer.utils.csv.AddRows", csv::NewAddRows, kConcurrent},
      {"appmixer.utils.csv.UpdateRows", csv::NewUpdateRows, kConcurrent},
      {"appmixer.utils.csv.DeleteRows", csv::NewDeleteRows, kConcurrent},
      {"appmixer.utils.csv.GetRow", csv::NewGetRow, kConcurrent},
      {"appmixer.utils.csv.GetRows", csv::NewGetRows, kConcurrent},
      {"appmixer.utils.csv.GetCell", csv::NewGetCell, kConcurrent},
      {"appmixer.utils.csv.ExportCSV", csv::NewExportCsv, kConcurrent},
      {"appmixer.utils.csv.AddColumn", csv::NewAddColumn, kConcurrent},
      {"appmixer.utils.csv.DeleteColumns", csv::NewDeleteColumns, kConcurrent},
      {"appmixer.utils.csv.RenameColumn", csv::NewRenameColumn, kConcurrent},
  };
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
