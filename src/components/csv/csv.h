// Factories of the appmixer.utils.csv.* behaviours, registered by csv.cc.
#pragma once

#include <memory>

#include "flowkit/component.h"

namespace flowkit::components::csv {

// rows.cc: create and append, rewrite rows.
std::unique_ptr<Behaviour> NewCreateCsv();
std::unique_ptr<Behaviour> NewAddRow();
std::unique_ptr<Behaviour> NewAddRows();
std::unique_ptr<Behaviour> NewUpdateRows();
std::unique_ptr<Behaviour> NewDeleteRows();

// read.cc: read rows, cells and the whole file.
std::unique_ptr<Behaviour> NewGetRow();
std::unique_ptr<Behaviour> NewGetRows();
std::unique_ptr<Behaviour> NewGetCell();
std::unique_ptr<Behaviour> NewExportCsv();

// columns.cc: rewrite columns.
std::unique_ptr<Behaviour> NewAddColumn();
std::unique_ptr<Behaviour> NewDeleteColumns();
std::unique_ptr<Behaviour> NewRenameColumn();

}  // namespace flowkit::components::csv
