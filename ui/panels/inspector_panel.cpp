#include "panels/inspector_panel.h"

#include "canvas/scene_content.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "document/document.h"
#include "layers/layer_registry.h"
#include "report/summary.h"

namespace loom::ui {

namespace {

/// A number box that shows a value as briefly as it is written ("0.2", "-1.2345", "1e-05") and
/// takes what is typed to ten significant digits, where a box of a few decimals would round a
/// padding value or an epsilon away without a word.
class NumberBox final : public QDoubleSpinBox {
public:
    explicit NumberBox(QWidget* parent) : QDoubleSpinBox(parent) { setDecimals(12); }

    QString textFromValue(double value) const override { return locale().toString(value, 'g', 10); }
    double valueFromText(const QString& text) const override {
        // The special text ("None (no cap)") stands for the lowest value, as in QDoubleSpinBox.
        if (!specialValueText().isEmpty() && text == specialValueText()) return minimum();
        return locale().toDouble(text.trimmed());
    }
    QValidator::State validate(QString& text, int&) const override {
        if (!specialValueText().isEmpty() && text == specialValueText()) return QValidator::Acceptable;
        bool ok = false;
        const double v = locale().toDouble(text.trimmed(), &ok);
        if (ok) return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
        // A number being typed: "-", "1.", "1e", "1e-".
        static const QRegularExpression partial(R"(^\s*[-+]?[0-9]*[.,]?[0-9]*([eE][-+]?[0-9]*)?\s*$)");
        return partial.match(text).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
    }
};

/// "(32, 1)", "32, 1", "(None, 8)", "(8, -1)" -> dims (Keras's -1 is None); nullopt when it does
/// not read as a shape.
std::optional<Dims> parseDims(const QString& text) {
    QString t = text.trimmed();
    t.remove('(').remove(')');
    Dims dims;
    for (const QString& part : t.split(',', Qt::SkipEmptyParts)) {
        const QString p = part.trimmed();
        if (p.compare("None", Qt::CaseInsensitive) == 0) {
            dims.push_back(kNone);
            continue;
        }
        bool ok = false;
        const long long v = p.toLongLong(&ok);
        if (!ok) return std::nullopt;
        dims.push_back(v == -1 ? kNone : v);
    }
    if (dims.empty()) return std::nullopt;
    return dims;
}

}  // namespace

InspectorPanel::InspectorPanel(Document* document, QWidget* parent)
    : QWidget(parent),
      m_document(document),
      m_title(new QLabel(this)),
      m_hint(new QLabel(tr("Select one layer to see and change its parameters."), this)),
      m_form(new QWidget(this)),
      m_layout(new QFormLayout(m_form)) {
    auto* outer = new QVBoxLayout(this);
    m_title->setTextFormat(Qt::RichText);
    m_title->setObjectName("inspectorTitle");
    m_hint->setWordWrap(true);
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addWidget(m_title);
    outer->addWidget(m_hint);
    outer->addWidget(m_form);
    outer->addStretch();
    // As wide from the start as the widest layer's form (a recurrent layer's regularizer row):
    // the dock then keeps its width when the first layer is selected, and the canvas beside it
    // does not jump.
    setMinimumWidth(std::max(420, fontMetrics().averageCharWidth() * 62));
    // Queued: a change can come from one of these editors, which the rebuild replaces.
    connect(m_document, &Document::changed, this, &InspectorPanel::rebuild, Qt::QueuedConnection);
    rebuild();
}

void InspectorPanel::showLayer(NodeId id) {
    if (id == m_layer) return;
    m_layer = id;
    // Queued for the same reason as on changes: the selection can change while an editor of
    // this panel is still handling its signal (an edit rebuilds the canvas).
    QMetaObject::invokeMethod(this, &InspectorPanel::rebuild, Qt::QueuedConnection);
}

void InspectorPanel::setParam(const std::string& key, ParamValue value) {
    const Node* n = m_document->graph().node(m_layer);
    if (!n) return;
    auto it = n->params.find(key);
    if (it != n->params.end() && it->second == value) return;
    GraphEdit e;
    e.ops.push_back(edit::SetParam{m_layer, key, std::move(value)});
    m_document->applyEdit(e, tr("Set %1 of %2").arg(QString::fromStdString(key),
                                                     QString::fromStdString(n->name)));
}

QWidget* InspectorPanel::editorFor(const ParamSpec& spec) {
    const Node* n = m_document->graph().node(m_layer);
    const ParamValue& value = n->params.at(spec.name);
    const std::string key = spec.name;
    QWidget* editor = nullptr;
    switch (spec.type) {
        case ParamType::Bool: {
            auto* box = new QCheckBox(m_form);
            box->setChecked(std::get<bool>(value));
            connect(box, &QCheckBox::toggled, this, [this, key](bool on) { setParam(key, on); });
            editor = box;
            break;
        }
        case ParamType::Int: {
            auto* spin = new QSpinBox(m_form);
            spin->setRange(static_cast<int>(spec.minValue),
                           spec.maxValue != 0.0 ? static_cast<int>(spec.maxValue)
                                                : std::numeric_limits<int>::max());
            if (!spec.noneText.empty()) spin->setSpecialValueText(QString::fromStdString(spec.noneText));
            spin->setValue(static_cast<int>(std::get<std::int64_t>(value)));
            spin->setKeyboardTracking(false);  // one step per finished entry, not per digit
            connect(spin, &QSpinBox::valueChanged, this,
                    [this, key](int v) { setParam(key, std::int64_t{v}); });
            editor = spin;
            break;
        }
        case ParamType::Float: {
            auto* spin = new NumberBox(m_form);
            spin->setSingleStep(0.05);
            const double top = spec.maxValue != 0.0 ? spec.maxValue - (spec.maxExclusive ? 0.001 : 0.0)
                                                    : 1e9;
            spin->setRange(spec.minValue, top);
            if (!spec.noneText.empty()) spin->setSpecialValueText(QString::fromStdString(spec.noneText));
            spin->setValue(std::get<double>(value));
            spin->setKeyboardTracking(false);
            connect(spin, &QDoubleSpinBox::valueChanged, this, [this, key](double v) { setParam(key, v); });
            editor = spin;
            break;
        }
        case ParamType::Choice: {
            auto* combo = new QComboBox(m_form);
            for (const std::string& c : spec.choices) combo->addItem(QString::fromStdString(c));
            combo->setCurrentText(QString::fromStdString(std::get<std::string>(value)));
            connect(combo, &QComboBox::currentTextChanged, this,
                    [this, key](const QString& t) { setParam(key, t.toStdString()); });
            editor = combo;
            break;
        }
        case ParamType::Regularization: {
            const Regularizer r = std::get<Regularizer>(value);
            auto* row = new QWidget(m_form);
            auto* h = new QHBoxLayout(row);
            h->setContentsMargins(0, 0, 0, 0);
            auto* kind = new QComboBox(row);
            kind->addItems({"none", "l1", "l2", "l1_l2"});
            kind->setCurrentIndex(static_cast<int>(r.kind));
            auto factor = [row](double v, const QString& prefix) {
                auto* s = new QDoubleSpinBox(row);
                s->setDecimals(5);
                s->setRange(0.0, 10.0);
                s->setSingleStep(0.001);
                s->setPrefix(prefix);
                s->setValue(v);
                s->setKeyboardTracking(false);
                return s;
            };
            auto* l1 = factor(r.l1, "l1 ");
            auto* l2 = factor(r.l2, "l2 ");
            l1->setEnabled(r.kind == Regularizer::Kind::L1 || r.kind == Regularizer::Kind::L1L2);
            l2->setEnabled(r.kind == Regularizer::Kind::L2 || r.kind == Regularizer::Kind::L1L2);
            h->addWidget(kind);
            h->addWidget(l1);
            h->addWidget(l2);
            auto apply = [this, key, kind, l1, l2] {
                Regularizer next;
                next.kind = static_cast<Regularizer::Kind>(kind->currentIndex());
                next.l1 = next.kind == Regularizer::Kind::L1 || next.kind == Regularizer::Kind::L1L2 ? l1->value() : 0.0;
                next.l2 = next.kind == Regularizer::Kind::L2 || next.kind == Regularizer::Kind::L1L2 ? l2->value() : 0.0;
                // A newly chosen penalty starts at Keras's default factor of 0.01.
                if (next.l1 == 0.0 && (next.kind == Regularizer::Kind::L1 || next.kind == Regularizer::Kind::L1L2)) next.l1 = 0.01;
                if (next.l2 == 0.0 && (next.kind == Regularizer::Kind::L2 || next.kind == Regularizer::Kind::L1L2)) next.l2 = 0.01;
                setParam(key, next);
            };
            connect(kind, &QComboBox::currentIndexChanged, this, apply);
            connect(l1, &QDoubleSpinBox::valueChanged, this, apply);
            connect(l2, &QDoubleSpinBox::valueChanged, this, apply);
            editor = row;
            break;
        }
        case ParamType::Initialization: {
            // The kind, and the numbers it takes (mean and stddev, minval and maxval, value, gain)
            // under their Keras names; a new kind starts from Keras's defaults.
            const Initializer init = std::get<Initializer>(value);
            auto* row = new QWidget(m_form);
            auto* h = new QHBoxLayout(row);
            h->setContentsMargins(0, 0, 0, 0);
            auto* kind = new QComboBox(row);
            kind->setObjectName(QString::fromStdString(key) + "_kind");
            for (Initializer::Kind k : allInitializers()) {
                kind->addItem(QString::fromStdString(initializerName(k)), static_cast<int>(k));
            }
            kind->setCurrentIndex(kind->findData(static_cast<int>(init.kind)));
            kind->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
            kind->setMinimumContentsLength(8);
            const auto [first, second] = initializerArguments(init.kind);
            auto number = [row](double v, const char* name) {
                auto* s = new QDoubleSpinBox(row);
                s->setDecimals(6);
                s->setRange(-1e6, 1e6);
                s->setSingleStep(0.01);
                s->setPrefix(QString(name) + " ");
                s->setValue(v);
                s->setKeyboardTracking(false);
                s->setVisible(*name != '\0');
                return s;
            };
            auto* a = number(init.a, first);
            auto* b = number(init.b, second);
            a->setObjectName(QString::fromStdString(key) + "_a");
            b->setObjectName(QString::fromStdString(key) + "_b");
            h->addWidget(kind, 1);
            h->addWidget(a);
            h->addWidget(b);
            connect(kind, &QComboBox::currentIndexChanged, this, [this, key, kind] {
                setParam(key, Initializer(static_cast<Initializer::Kind>(kind->currentData().toInt())));
            });
            // Only the number edited changes: the other keeps its full value, not the box's
            // rounding of it.
            const auto current = [this, key] {
                const Node* node = m_document->graph().node(m_layer);
                return node ? node->param<Initializer>(key) : Initializer();
            };
            connect(a, &QDoubleSpinBox::valueChanged, this, [this, key, current](double v) {
                const Initializer now = current();
                setParam(key, Initializer(now.kind, v, now.b));
            });
            connect(b, &QDoubleSpinBox::valueChanged, this, [this, key, current](double v) {
                const Initializer now = current();
                setParam(key, Initializer(now.kind, now.a, v));
            });
            editor = row;
            break;
        }
        case ParamType::Shape: {
            auto* line = new QLineEdit(QString::fromStdString(formatParam(value)), m_form);
            line->setPlaceholderText("(time, features)");
            connect(line, &QLineEdit::editingFinished, this, [this, key, line] {
                if (auto dims = parseDims(line->text())) {
                    setParam(key, *dims);
                } else {
                    line->setStyleSheet("color: #d33");
                    line->setToolTip(tr("Write a shape such as (32, 1) or (None, 8)."));
                }
            });
            editor = line;
            break;
        }
    }
    // As rich text, so that a long help wraps instead of running across the window.
    editor->setToolTip(QStringLiteral("<p>%1</p>").arg(QString::fromStdString(spec.help).toHtmlEscaped()));
    return editor;
}

void InspectorPanel::rebuild() {
    // Keep the keyboard in the same editor across the rebuild.
    QString focused;
    if (QWidget* f = focusWidget(); f && m_form->isAncestorOf(f)) {
        for (QWidget* w = f; w && w != m_form; w = w->parentWidget()) {
            if (!w->objectName().isEmpty()) {
                focused = w->objectName();
                break;
            }
        }
    }
    while (m_layout->rowCount() > 0) m_layout->removeRow(0);
    const Node* n = m_document->graph().node(m_layer);
    const LayerSpec* spec = n ? findLayer(n->kind) : nullptr;
    m_hint->setVisible(!spec);
    m_form->setVisible(spec != nullptr);
    if (!spec) {
        m_title->setText(QString());
        return;
    }
    const ModelGraph& graph = m_document->graph();
    const NodeReport& report = m_document->validation().of(graph, n->id);
    // A call of a shared layer holds no weights: it uses the layer's, and its settings are the layer's.
    const Node* owner = n->shares ? graph.node(n->shares) : nullptr;
    const QString weights = owner ? tr("shares the %1 parameters of %2")
                                        .arg(QString::fromStdString(groupThousands(m_document->validation().of(graph, owner->id).params)),
                                             QString::fromStdString(owner->name).toHtmlEscaped())
                                  : tr("%1 parameters").arg(QString::fromStdString(groupThousands(report.params)));
    m_title->setText(tr("<b>%1</b> &nbsp;<span style='color:gray'>%2</span><br>output %3, %4")
                         .arg(QString::fromStdString(n->name).toHtmlEscaped(),
                              QString::fromStdString(n->kind),
                              outputShapeText(graph, m_document->validation(), n->id).toHtmlEscaped(), weights));
    auto* name = new QLineEdit(QString::fromStdString(n->name), m_form);
    name->setToolTip(tr("The layer's name, as Keras code and weights files use it."));
    connect(name, &QLineEdit::editingFinished, this, [this, name] {
        const Node* node = m_document->graph().node(m_layer);
        const std::string next = name->text().trimmed().toStdString();
        if (!node || next.empty() || next == node->name) return;
        GraphEdit e;
        e.ops.push_back(edit::Rename{m_layer, next});
        m_document->applyEdit(e, tr("Rename %1 to %2").arg(QString::fromStdString(node->name),
                                                           QString::fromStdString(next)));
    });
    name->setObjectName("name");
    m_layout->addRow(tr("name"), name);
    for (const ParamSpec& p : spec->params()) {
        if (!spec->paramApplies(*n, p.name)) continue;
        QWidget* editor = editorFor(p);
        editor->setObjectName(QString::fromStdString(p.name));
        auto* label = new QLabel(QString::fromStdString(p.name), m_form);
        label->setToolTip(editor->toolTip());  // the name explains itself as its field does
        label->setBuddy(editor);
        m_layout->addRow(label, editor);
    }
    if (!focused.isEmpty()) {
        if (auto* w = m_form->findChild<QWidget*>(focused)) w->setFocus();
    }
}

}  // namespace loom::ui
