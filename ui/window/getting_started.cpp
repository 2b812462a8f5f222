#include "window/getting_started.h"

#include <algorithm>

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace loom::ui {

GettingStarted::GettingStarted(std::vector<Step> steps, QWidget* parent)
    : QDialog(parent, Qt::Tool),
      m_steps(std::move(steps)),
      m_counter(new QLabel(this)),
      m_title(new QLabel(this)),
      m_text(new QLabel(this)),
      m_act(new QPushButton(this)),
      m_back(new QPushButton(tr("< &Back"), this)),
      m_next(new QPushButton(tr("&Next >"), this)) {
    setWindowTitle(tr("Getting Started"));
    setObjectName("gettingStarted");
    setModal(false);
    setFixedWidth(340);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setWordWrap(true);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setOpenExternalLinks(true);
    m_text->setObjectName("tourText");
    m_text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_counter->setStyleSheet("color: palette(mid);");

    auto* close = new QPushButton(tr("&Close"), this);
    auto* doIt = new QHBoxLayout;
    doIt->addWidget(m_act);
    doIt->addStretch(1);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_back);
    buttons->addWidget(m_next);
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_counter);
    layout->addWidget(m_title);
    layout->addWidget(m_text, 1);
    layout->addLayout(doIt);
    layout->addSpacing(6);
    layout->addLayout(buttons);

    connect(m_back, &QPushButton::clicked, this, [this] { showStep(m_step - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { showStep(m_step + 1); });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(m_act, &QPushButton::clicked, this, [this] {
        const Step& s = m_steps[static_cast<std::size_t>(m_step)];
        if (s.act) s.act();
    });
    showStep(0);
}

void GettingStarted::showStep(int index) {
    if (m_steps.empty()) return;
    m_step = std::clamp(index, 0, steps() - 1);
    const Step& s = m_steps[static_cast<std::size_t>(m_step)];
    m_counter->setText(tr("Step %1 of %2").arg(m_step + 1).arg(steps()));
    m_title->setText(s.title);
    m_text->setText(s.text);
    // The window grows to hold the whole of each step's text, never cutting a sentence.
    const int width = m_text->width() > 0 && m_text->isVisible() ? m_text->width() : m_text->sizeHint().width();
    m_text->setMinimumHeight(std::max(150, m_text->heightForWidth(std::max(width, 200))));
    m_act->setText(s.button);
    m_act->setVisible(!s.button.isEmpty());
    m_back->setEnabled(m_step > 0);
    m_next->setEnabled(m_step + 1 < steps());
    (m_next->isEnabled() ? m_next : m_back)->setDefault(true);
    adjustSize();
}

}  // namespace loom::ui
